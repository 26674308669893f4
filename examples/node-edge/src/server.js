// An edge service that hands devices the model to flash: GET /model is the
// optimized .tflite, GET /report what TinySeg did to it. Both were fixed when
// the bundle was built; the service reads no files.
import { createServer } from 'node:http';
import model, { arenaSize, report } from '../../models/tiny-unet-80x120.tflite';

const reportJson = JSON.stringify(report);

const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  if (path === '/model') {
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': model.byteLength,
      'content-disposition': 'attachment; filename="tiny-unet-80x120.tflite"',
      // The arena the device must allocate for this model (TFLM, 32-bit).
      'x-tinyseg-arena-bytes': arenaSize,
    });
    res.end(req.method === 'HEAD' ? undefined : model);
    return;
  }
  if (path === '/report') {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(reportJson) });
    res.end(req.method === 'HEAD' ? undefined : reportJson);
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain' }).end('GET /model or /report\n');
});

// PORT=0 takes any free port; the line below says which.
server.listen(Number(process.env.PORT ?? 8080), process.env.HOST ?? '127.0.0.1', () => {
  const { port } = server.address();
  console.log(`listening on http://${process.env.HOST ?? '127.0.0.1'}:${port}`);
});

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
