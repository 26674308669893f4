;; MAX_POOL_2D and AVERAGE_POOL_2D of int8 and float32 (pooling/simd-pool.ts): module fields
;; that test/helpers/assemble-wasm.mjs adds to kernels.wat's module.

;; MAX_POOL_2D of int8 (mode 0) or float32 (1), or float32 AVERAGE_POOL_2D
;; (2): per output pixel, the window clipped to the input, each channel's
;; largest value or sum, then the activation clamp; a vector of 16 channels
;; (int8) or 4 (float32). int8 maxima start from its lowest, as
;; reference_integer_ops::MaxPool does; float32 maxima from -FLT_MAX, each
;; step std::max(acc, value) (f32x4.pmax: a NaN never replaces the maximum);
;; float32 sums from 0 in the window's order, then divided by the number of
;; taps inside the input; the float clamp is
;; std::min(std::max(x, lo), hi) (lo and hi are float32 bits in qmin and
;; qmax). A depth that is no multiple of a vector ends with the vector of its
;; last channels (a channel computed twice comes out the same); a depth below
;; a vector takes one whole vector from each tap and stores it whole, pixel
;; after pixel, so what lies past a pixel's channels is overwritten by the
;; next pixel's (the caller leaves 16 bytes of slack past the input and the
;; output). Returns 0 when an average's window lies entirely outside the input
;; (TFLM divides by 0 there; the caller refuses it), else 1.
(func (export "pool") (param $x i32) (param $out i32) (param $batches i32) (param $inH i32) (param $inW i32) (param $depth i32)
  (param $outH i32) (param $outW i32) (param $fH i32) (param $fW i32) (param $sH i32) (param $sW i32) (param $pH i32) (param $pW i32)
  (param $qmin i32) (param $qmax i32) (param $mode i32) (result i32)
  (local $n i32) (local $oy i32) (local $ox i32) (local $y0 i32) (local $x0 i32) (local $fy0 i32) (local $fy1 i32) (local $fx0 i32) (local $fx1 i32)
  (local $fy i32) (local $fx i32) (local $c i32) (local $cc i32) (local $o i32) (local $at i32) (local $lanes i32) (local $es i32)
  (local $acc v128) (local $v v128) (local $lowest v128) (local $vmin v128) (local $vmax v128) (local $float i32)
  (local.set $float (i32.ne (local.get $mode) (i32.const 0)))
  (if (local.get $float)
    (then
      (local.set $lanes (i32.const 4))
      (local.set $es (i32.const 2))
      (local.set $lowest (select (v128.const f32x4 -0x1.fffffep+127 -0x1.fffffep+127 -0x1.fffffep+127 -0x1.fffffep+127) (v128.const f32x4 0 0 0 0)
        (i32.eq (local.get $mode) (i32.const 1))))
      (local.set $vmin (i32x4.splat (local.get $qmin)))
      (local.set $vmax (i32x4.splat (local.get $qmax))))
    (else
      (local.set $lanes (i32.const 16))
      (local.set $lowest (v128.const i8x16 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128))
      (local.set $vmin (i8x16.splat (local.get $qmin)))
      (local.set $vmax (i8x16.splat (local.get $qmax)))))
  (block $endn (loop $batch
    (br_if $endn (i32.ge_s (local.get $n) (local.get $batches)))
    (local.set $oy (i32.const 0))
    (block $endy (loop $rows
      (br_if $endy (i32.ge_s (local.get $oy) (local.get $outH)))
      (local.set $y0 (i32.sub (i32.mul (local.get $oy) (local.get $sH)) (local.get $pH)))
      (local.set $fy0 (select (i32.sub (i32.const 0) (local.get $y0)) (i32.const 0) (i32.lt_s (local.get $y0) (i32.const 0))))
      (local.set $fy1 (i32.sub (local.get $inH) (local.get $y0)))
      (if (i32.gt_s (local.get $fy1) (local.get $fH)) (then (local.set $fy1 (local.get $fH))))
      (local.set $ox (i32.const 0))
      (block $endx (loop $cols
        (br_if $endx (i32.ge_s (local.get $ox) (local.get $outW)))
        (local.set $x0 (i32.sub (i32.mul (local.get $ox) (local.get $sW)) (local.get $pW)))
        (local.set $fx0 (select (i32.sub (i32.const 0) (local.get $x0)) (i32.const 0) (i32.lt_s (local.get $x0) (i32.const 0))))
        (local.set $fx1 (i32.sub (local.get $inW) (local.get $x0)))
        (if (i32.gt_s (local.get $fx1) (local.get $fW)) (then (local.set $fx1 (local.get $fW))))
        (if (i32.and (i32.eq (local.get $mode) (i32.const 2))
              (i32.or (i32.ge_s (local.get $fy0) (local.get $fy1)) (i32.ge_s (local.get $fx0) (local.get $fx1))))
          (then (return (i32.const 0))))
        (local.set $c (i32.const 0))
        (block $endv (loop $vectors
          (br_if $endv (i32.ge_s (local.get $c) (local.get $depth)))
          ;; The last vector of a depth of a vector or more ends at the last channel.
          (local.set $cc (select (i32.sub (local.get $depth) (local.get $lanes)) (local.get $c)
            (i32.and (i32.ge_s (local.get $depth) (local.get $lanes)) (i32.gt_s (i32.add (local.get $c) (local.get $lanes)) (local.get $depth)))))
          (local.set $acc (local.get $lowest))
          (local.set $fy (local.get $fy0))
          (block $endfy (loop $taprows
            (br_if $endfy (i32.ge_s (local.get $fy) (local.get $fy1)))
            (local.set $fx (local.get $fx0))
            (block $endfx (loop $taps
              (br_if $endfx (i32.ge_s (local.get $fx) (local.get $fx1)))
              (local.set $at (i32.add (local.get $x) (i32.shl (i32.add (local.get $cc) (i32.mul (local.get $depth)
                (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $inH)) (i32.add (local.get $y0) (local.get $fy))) (local.get $inW))
                         (i32.add (local.get $x0) (local.get $fx))))) (local.get $es))))
              (local.set $v (v128.load (local.get $at)))
              (local.set $acc (if (result v128) (i32.eqz (local.get $mode))
                (then (i8x16.max_s (local.get $acc) (local.get $v)))
                (else (if (result v128) (i32.eq (local.get $mode) (i32.const 1))
                  (then (f32x4.pmax (local.get $acc) (local.get $v)))
                  (else (f32x4.add (local.get $acc) (local.get $v)))))))
              (local.set $fx (i32.add (local.get $fx) (i32.const 1)))
              (br $taps)))
            (local.set $fy (i32.add (local.get $fy) (i32.const 1)))
            (br $taprows)))
          (if (i32.eq (local.get $mode) (i32.const 2))
            (then (local.set $acc (f32x4.div (local.get $acc)
              (f32x4.splat (f32.convert_i32_s (i32.mul (i32.sub (local.get $fy1) (local.get $fy0)) (i32.sub (local.get $fx1) (local.get $fx0)))))))))
          (v128.store (i32.add (local.get $out) (i32.shl (i32.add (local.get $o) (local.get $cc)) (local.get $es)))
            (if (result v128) (local.get $float)
              (then (f32x4.pmin (f32x4.pmax (local.get $acc) (local.get $vmin)) (local.get $vmax)))
              (else (i8x16.min_s (i8x16.max_s (local.get $acc) (local.get $vmin)) (local.get $vmax)))))
          (local.set $c (i32.add (local.get $c) (local.get $lanes)))
          (br $vectors)))
        (local.set $o (i32.add (local.get $o) (local.get $depth)))
        (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
        (br $cols)))
      (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
      (br $rows)))
    (local.set $n (i32.add (local.get $n) (i32.const 1)))
    (br $batch)))
  (i32.const 1))

;; int8 AVERAGE_POOL_2D (reference_integer_ops::AveragePool): per output pixel
;; the window clipped to the input, int32 sums (16 channels per vector, staged
;; at `sums`, 64 bytes; the rest one by one), each rounded half away from zero
;; by C's truncating division by the window's size, then the activation clamp.
;; Returns 0 when a window lies entirely outside the input (TFLM divides by 0
;; there; the caller refuses it), else 1.
(func (export "averagePoolI8") (param $x i32) (param $out i32) (param $batches i32) (param $inH i32) (param $inW i32) (param $depth i32)
  (param $outH i32) (param $outW i32) (param $fH i32) (param $fW i32) (param $sH i32) (param $sW i32) (param $pH i32) (param $pW i32)
  (param $qmin i32) (param $qmax i32) (param $sums i32) (result i32)
  (local $n i32) (local $oy i32) (local $ox i32) (local $y0 i32) (local $x0 i32) (local $fy0 i32) (local $fy1 i32) (local $fx0 i32) (local $fx1 i32)
  (local $fy i32) (local $fx i32) (local $c i32) (local $e i32) (local $whole i32) (local $o i32) (local $at i32) (local $s i32) (local $count i32)
  (local $v v128) (local $lo v128) (local $hi v128) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
  (local.set $whole (i32.and (local.get $depth) (i32.const -16)))
  (block $endn (loop $batch
    (br_if $endn (i32.ge_s (local.get $n) (local.get $batches)))
    (local.set $oy (i32.const 0))
    (block $endy (loop $rows
      (br_if $endy (i32.ge_s (local.get $oy) (local.get $outH)))
      (local.set $y0 (i32.sub (i32.mul (local.get $oy) (local.get $sH)) (local.get $pH)))
      (local.set $fy0 (select (i32.sub (i32.const 0) (local.get $y0)) (i32.const 0) (i32.lt_s (local.get $y0) (i32.const 0))))
      (local.set $fy1 (i32.sub (local.get $inH) (local.get $y0)))
      (if (i32.gt_s (local.get $fy1) (local.get $fH)) (then (local.set $fy1 (local.get $fH))))
      (local.set $ox (i32.const 0))
      (block $endx (loop $cols
        (br_if $endx (i32.ge_s (local.get $ox) (local.get $outW)))
        (local.set $x0 (i32.sub (i32.mul (local.get $ox) (local.get $sW)) (local.get $pW)))
        (local.set $fx0 (select (i32.sub (i32.const 0) (local.get $x0)) (i32.const 0) (i32.lt_s (local.get $x0) (i32.const 0))))
        (local.set $fx1 (i32.sub (local.get $inW) (local.get $x0)))
        (if (i32.gt_s (local.get $fx1) (local.get $fW)) (then (local.set $fx1 (local.get $fW))))
        (if (i32.or (i32.ge_s (local.get $fy0) (local.get $fy1)) (i32.ge_s (local.get $fx0) (local.get $fx1))) (then (return (i32.const 0))))
        (local.set $count (i32.mul (i32.sub (local.get $fy1) (local.get $fy0)) (i32.sub (local.get $fx1) (local.get $fx0))))
        (local.set $c (i32.const 0))
        (block $endc (loop $channels
          (br_if $endc (i32.ge_s (local.get $c) (local.get $depth)))
          ;; Channels c.. (16 of them while whole ones remain, else 1): their sums at `sums`.
          (local.set $a0 (v128.const i32x4 0 0 0 0))
          (local.set $a1 (v128.const i32x4 0 0 0 0))
          (local.set $a2 (v128.const i32x4 0 0 0 0))
          (local.set $a3 (v128.const i32x4 0 0 0 0))
          (local.set $s (i32.const 0))
          (local.set $fy (local.get $fy0))
          (block $endfy (loop $taprows
            (br_if $endfy (i32.ge_s (local.get $fy) (local.get $fy1)))
            (local.set $fx (local.get $fx0))
            (block $endfx (loop $taps
              (br_if $endfx (i32.ge_s (local.get $fx) (local.get $fx1)))
              (local.set $at (i32.add (local.get $x) (i32.add (local.get $c) (i32.mul (local.get $depth)
                (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $inH)) (i32.add (local.get $y0) (local.get $fy))) (local.get $inW))
                         (i32.add (local.get $x0) (local.get $fx)))))))
              (if (i32.lt_s (local.get $c) (local.get $whole))
                (then
                  (local.set $v (v128.load (local.get $at)))
                  (local.set $lo (i16x8.extend_low_i8x16_s (local.get $v)))
                  (local.set $hi (i16x8.extend_high_i8x16_s (local.get $v)))
                  (local.set $a0 (i32x4.add (local.get $a0) (i32x4.extend_low_i16x8_s (local.get $lo))))
                  (local.set $a1 (i32x4.add (local.get $a1) (i32x4.extend_high_i16x8_s (local.get $lo))))
                  (local.set $a2 (i32x4.add (local.get $a2) (i32x4.extend_low_i16x8_s (local.get $hi))))
                  (local.set $a3 (i32x4.add (local.get $a3) (i32x4.extend_high_i16x8_s (local.get $hi)))))
                (else (local.set $s (i32.add (local.get $s) (i32.load8_s (local.get $at))))))
              (local.set $fx (i32.add (local.get $fx) (i32.const 1)))
              (br $taps)))
            (local.set $fy (i32.add (local.get $fy) (i32.const 1)))
            (br $taprows)))
          (v128.store offset=0 (local.get $sums) (local.get $a0))
          (v128.store offset=16 (local.get $sums) (local.get $a1))
          (v128.store offset=32 (local.get $sums) (local.get $a2))
          (v128.store offset=48 (local.get $sums) (local.get $a3))
          (if (i32.ge_s (local.get $c) (local.get $whole)) (then (i32.store (local.get $sums) (local.get $s))))
          (local.set $e (select (i32.const 16) (i32.const 1) (i32.lt_s (local.get $c) (local.get $whole))))
          (local.set $at (i32.const 0))
          (block $endd (loop $divide
            (br_if $endd (i32.ge_s (local.get $at) (local.get $e)))
            (local.set $s (i32.load (i32.add (local.get $sums) (i32.shl (local.get $at) (i32.const 2)))))
            (local.set $s (i32.div_s
              (select (i32.add (local.get $s) (i32.shr_s (local.get $count) (i32.const 1)))
                      (i32.sub (local.get $s) (i32.shr_s (local.get $count) (i32.const 1)))
                      (i32.gt_s (local.get $s) (i32.const 0)))
              (local.get $count)))
            (if (i32.lt_s (local.get $s) (local.get $qmin)) (then (local.set $s (local.get $qmin))))
            (if (i32.gt_s (local.get $s) (local.get $qmax)) (then (local.set $s (local.get $qmax))))
            (i32.store8 (i32.add (local.get $out) (i32.add (local.get $o) (i32.add (local.get $c) (local.get $at)))) (local.get $s))
            (local.set $at (i32.add (local.get $at) (i32.const 1)))
            (br $divide)))
          (local.set $c (i32.add (local.get $c) (local.get $e)))
          (br $channels)))
        (local.set $o (i32.add (local.get $o) (local.get $depth)))
        (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
        (br $cols)))
      (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
      (br $rows)))
    (local.set $n (i32.add (local.get $n) (i32.const 1)))
    (br $batch)))
  (i32.const 1))

;; MEAN and SUM of int8 over every axis but the last (a global average pool,
;; reduce/kernel.ts): per channel c < n (n at least 16), the int32 sum of
;; x[p * n + c] over `pixels` pixels, into sums (n int32), 16 channels a step
;; with their sums in registers; a count of channels no multiple of 16 ends
;; with the step of the last 16 (the channels it shares with the one before
;; get the same sums again). Integer sums wrap alike in any order.
(func (export "sumChannelsI8") (param $x i32) (param $pixels i32) (param $n i32) (param $sums i32)
  (local $c i32) (local $p i32) (local $at i32) (local $v v128) (local $lo v128) (local $hi v128)
  (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
  (block $end (loop $channels
    (br_if $end (i32.ge_s (local.get $c) (local.get $n)))
    (if (i32.gt_s (i32.add (local.get $c) (i32.const 16)) (local.get $n)) (then (local.set $c (i32.sub (local.get $n) (i32.const 16)))))
    (local.set $a0 (v128.const i32x4 0 0 0 0))
    (local.set $a1 (v128.const i32x4 0 0 0 0))
    (local.set $a2 (v128.const i32x4 0 0 0 0))
    (local.set $a3 (v128.const i32x4 0 0 0 0))
    (local.set $at (i32.add (local.get $x) (local.get $c)))
    (local.set $p (i32.const 0))
    (block $endp (loop $each
      (br_if $endp (i32.ge_s (local.get $p) (local.get $pixels)))
      (local.set $v (v128.load (local.get $at)))
      (local.set $lo (i16x8.extend_low_i8x16_s (local.get $v)))
      (local.set $hi (i16x8.extend_high_i8x16_s (local.get $v)))
      (local.set $a0 (i32x4.add (local.get $a0) (i32x4.extend_low_i16x8_s (local.get $lo))))
      (local.set $a1 (i32x4.add (local.get $a1) (i32x4.extend_high_i16x8_s (local.get $lo))))
      (local.set $a2 (i32x4.add (local.get $a2) (i32x4.extend_low_i16x8_s (local.get $hi))))
      (local.set $a3 (i32x4.add (local.get $a3) (i32x4.extend_high_i16x8_s (local.get $hi))))
      (local.set $at (i32.add (local.get $at) (local.get $n)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $each)))
    (local.set $at (i32.add (local.get $sums) (i32.shl (local.get $c) (i32.const 2))))
    (v128.store offset=0 (local.get $at) (local.get $a0))
    (v128.store offset=16 (local.get $at) (local.get $a1))
    (v128.store offset=32 (local.get $at) (local.get $a2))
    (v128.store offset=48 (local.get $at) (local.get $a3))
    (local.set $c (i32.add (local.get $c) (i32.const 16)))
    (br $channels))))
