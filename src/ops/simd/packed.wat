;; The packed int8 window kernels (conv/conv-packed.ts,
;; depthwise-conv/depthwise-packed.ts, packed-window.ts): module fields that
;; test/helpers/assemble-wasm.mjs adds to kernels.wat's module (one module,
;; one memory; a .wat file is a single module, so the fragment has none of
;; its own). They use kernels.wat's $widenI8.

;; convPacked runs an ungrouped int8 conv as a small matrix product whose
;; vector lanes are output channels, so no sum is reduced across lanes and
;; four output pixels share every filter load. The caller lays out:
;; - x: the input widened to i16 with its zero-point offset added (widenPadded),
;;   zero-padded around so that every window is whole (a 0 adds nothing to an
;;   integer sum, which is what skipping a tap outside the input does):
;;   [batch][hp][wp][cp]. With horizontal dilation its channels are padded to
;;   an even count cp, so that channel pairs never straddle pixels; without,
;;   a filter row reads one run of kW * cp elements, which pairs straddling
;;   pixels serve as well (cp may be odd: a run of odd length takes one
;;   element past its window, against a 0 weight).
;; - w: per block of 8 output channels, per filter row, per pair of the row's
;;   run (with dilation: per column, per channel pair), two vectors of 4
;;   channels x 2 inputs (i16, offset added, 0 for channels and elements
;;   beyond the real ones): i32x4.dot_i16x8_s of one such vector with an input
;;   pair splatted adds 2 products to 4 channel sums.
;; Sums are exact int32 that wrap like TFLM's: order does not matter.
;; acc gets outC sums per output pixel (written, not added to), each started
;; from its channel's int32 bias at `bias` (read 8 per block: a short last
;; block's extra lanes are stored over as the others are), or from 0 with
;; bias -1. With `quant` (kernels.wat $fusedOutputStep) and the float form
;; of the output step for the channels, the sums go through it as each block
;; of a pixel ends instead (no int32 written): outC int8 per pixel at q (8
;; stored per block, as the sums), and the result is 1.
;; With `float`, x and w hold float32 (x padded with 0s, which add nothing to a
;; sum of finite products: the sum starts at +0 and so never is -0), one element
;; per step instead of a pair: w per block, filter row and element of the row's
;; run, two vectors of 4 channels; each lane sums its products in the filter's
;; order (row, column, channel), rounding as TFLM's reference loop does.
(func (export "convPacked") (param $x i32) (param $w i32) (param $acc i32)
  (param $batches i32) (param $hp i32) (param $wp i32) (param $cp i32) (param $outC i32) (param $kH i32) (param $kW i32)
  (param $outH i32) (param $outW i32) (param $sH i32) (param $sW i32) (param $dH i32) (param $dW i32) (param $float i32) (param $bias i32)
  (param $quant i32) (param $q i32) (result i32)
  (local $p i32) (local $pixels i32) (local $b i32) (local $blocks i32) (local $runs i32) (local $runLen i32) (local $runStep i32)
  (local $rowStep i32) (local $blockBytes i32) (local $outBytes i32) (local $es i32)
  (local $x0 i32) (local $x1 i32) (local $x2 i32) (local $x3 i32) (local $out i32)
  (local $n i32) (local $oy i32) (local $ox i32) (local $rowAt i32) (local $rowBytes i32) (local $pixStep i32) (local $g i32) (local $k i32) (local $at i32)
  (local $table i32) (local $offset v128) (local $offset16 v128) (local $min v128) (local $max v128)
  (local.set $table (call $fusedOutputStep (local.get $quant) (local.get $bias) (local.get $outC)))
  (if (local.get $table)
    (then
      (local.set $offset (i32x4.splat (i32.load (local.get $quant))))
      (local.set $offset16 (i16x8.splat (i32.load (local.get $quant))))
      (local.set $min (i8x16.splat (i32.load offset=4 (local.get $quant))))
      (local.set $max (i8x16.splat (i32.load offset=8 (local.get $quant))))))
  (local.set $blocks (i32.shr_u (i32.add (local.get $outC) (i32.const 7)) (i32.const 3)))
  ;; Bytes per element: 2 (i16) or 4 (float32); a step reads 4 bytes, an input pair or one float.
  (local.set $es (select (i32.const 2) (i32.const 1) (local.get $float)))
  (local.set $rowStep (i32.shl (i32.mul (i32.mul (local.get $dH) (local.get $wp)) (local.get $cp)) (local.get $es)))
  ;; Without horizontal dilation a filter row reads one contiguous run of input pairs (the last one may straddle).
  (if (i32.eq (local.get $dW) (i32.const 1))
    (then
      (local.set $runs (i32.const 1))
      (local.set $runLen (select (i32.mul (local.get $kW) (local.get $cp))
        (i32.shr_u (i32.add (i32.mul (local.get $kW) (local.get $cp)) (i32.const 1)) (i32.const 1)) (local.get $float))))
    (else
      (local.set $runs (local.get $kW))
      (local.set $runLen (select (local.get $cp) (i32.shr_u (local.get $cp) (i32.const 1)) (local.get $float)))
      (local.set $runStep (i32.shl (i32.mul (local.get $dW) (local.get $cp)) (local.get $es)))))
  (local.set $blockBytes (i32.shl (i32.mul (i32.mul (local.get $kH) (local.get $runs)) (local.get $runLen)) (i32.const 5)))
  (local.set $outBytes (i32.shl (local.get $outC) (i32.const 2)))
  ;; Output pixels in raster order over every row and batch, in groups of four
  ;; (their windows need not be evenly spaced: a group may span rows and
  ;; batches), the last group of fewer pixel by pixel.
  (local.set $pixels (i32.mul (i32.mul (local.get $batches) (local.get $outH)) (local.get $outW)))
  ;; A cursor on the next pixel's window: batch n, output row oy, column ox, and the row's first window at rowAt.
  (local.set $rowBytes (i32.shl (i32.mul (local.get $wp) (local.get $cp)) (local.get $es)))
  (local.set $pixStep (i32.shl (i32.mul (local.get $sW) (local.get $cp)) (local.get $es)))
  (local.set $rowAt (local.get $x))
  (block $end (loop $groups
    (br_if $end (i32.ge_s (local.get $p) (local.get $pixels)))
    (local.set $g (select (i32.const 4) (i32.sub (local.get $pixels) (local.get $p)) (i32.ge_s (i32.sub (local.get $pixels) (local.get $p)) (i32.const 4))))
    ;; The group's windows into x0..x3: the first three at once when the whole group lies in the row.
    (local.set $k (i32.const 0))
    (if (i32.and (i32.eq (local.get $g) (i32.const 4)) (i32.le_s (i32.add (local.get $ox) (i32.const 4)) (local.get $outW)))
      (then
        (local.set $x0 (i32.add (local.get $rowAt) (i32.mul (local.get $ox) (local.get $pixStep))))
        (local.set $x1 (i32.add (local.get $x0) (local.get $pixStep)))
        (local.set $x2 (i32.add (local.get $x1) (local.get $pixStep)))
        (local.set $ox (i32.add (local.get $ox) (i32.const 3)))
        (local.set $k (i32.const 3))))
    (loop $take
      (local.set $at (i32.add (local.get $rowAt) (i32.mul (local.get $ox) (local.get $pixStep))))
      (local.set $x0 (select (local.get $at) (local.get $x0) (i32.eq (local.get $k) (i32.const 0))))
      (local.set $x1 (select (local.get $at) (local.get $x1) (i32.eq (local.get $k) (i32.const 1))))
      (local.set $x2 (select (local.get $at) (local.get $x2) (i32.eq (local.get $k) (i32.const 2))))
      (local.set $x3 (select (local.get $at) (local.get $x3) (i32.eq (local.get $k) (i32.const 3))))
      (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
      (if (i32.eq (local.get $ox) (local.get $outW))
        (then
          (local.set $ox (i32.const 0))
          (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
          (if (i32.eq (local.get $oy) (local.get $outH)) (then (local.set $oy (i32.const 0)) (local.set $n (i32.add (local.get $n) (i32.const 1)))))
          (local.set $rowAt (i32.add (local.get $x)
            (i32.mul (i32.add (i32.mul (local.get $n) (local.get $hp)) (i32.mul (local.get $oy) (local.get $sH))) (local.get $rowBytes))))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $take (i32.lt_s (local.get $k) (local.get $g))))
    (local.set $out (i32.add (local.get $acc) (i32.mul (local.get $p) (local.get $outBytes))))
    ;; Blocks last first: a last block of fewer than 8 channels stores all 8 sums, the extra ones landing on the next
    ;; pixel's first sums, which are stored after (or past the last pixel's, in the caller's slack of 32 bytes).
    (local.set $b (local.get $blocks))
    (if (i32.eq (local.get $g) (i32.const 4))
      (then
        (call $packedBlocks4 (local.get $x0) (i32.sub (local.get $x1) (local.get $x0)) (i32.sub (local.get $x2) (local.get $x0)) (i32.sub (local.get $x3) (local.get $x0))
          (local.get $w) (local.get $blocks) (local.get $blockBytes)
          (local.get $kH) (local.get $rowStep) (local.get $runs) (local.get $runStep) (local.get $runLen)
          (local.get $out) (local.get $outBytes) (local.get $float) (local.get $bias)
          (local.get $table) (i32.add (local.get $q) (i32.mul (local.get $p) (local.get $outC))) (local.get $outC)
          (local.get $offset) (local.get $offset16) (local.get $min) (local.get $max)))
      (else
        (local.set $k (i32.const 0))
        (block $endk (loop $ones
          (br_if $endk (i32.ge_s (local.get $k) (local.get $g)))
          (local.set $at (select (local.get $x0) (select (local.get $x1) (local.get $x2) (i32.eq (local.get $k) (i32.const 1))) (i32.eqz (local.get $k))))
          (local.set $b (local.get $blocks))
          (block $endb1 (loop $blocks1
            (br_if $endb1 (i32.eqz (local.get $b)))
            (local.set $b (i32.sub (local.get $b) (i32.const 1)))
            (call $packedBlock1 (local.get $at)
              (i32.add (local.get $w) (i32.mul (local.get $b) (local.get $blockBytes)))
              (local.get $kH) (local.get $rowStep) (local.get $runs) (local.get $runStep) (local.get $runLen)
              (i32.add (i32.add (local.get $out) (i32.mul (local.get $k) (local.get $outBytes))) (i32.shl (local.get $b) (i32.const 5)))
              (local.get $float)
              (select (local.get $bias) (i32.add (local.get $bias) (i32.shl (local.get $b) (i32.const 5))) (i32.eq (local.get $bias) (i32.const -1)))
              (select (i32.add (local.get $table) (i32.add (i32.const 16) (i32.mul (local.get $b) (i32.const 192)))) (i32.const 0) (local.get $table))
              (local.get $table)
              (i32.add (i32.add (local.get $q) (i32.mul (i32.add (local.get $p) (local.get $k)) (local.get $outC))) (i32.shl (local.get $b) (i32.const 3)))
              (local.get $offset) (local.get $offset16) (local.get $min) (local.get $max))
            (br $blocks1)))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $ones)))))
    (local.set $p (i32.add (local.get $p) (local.get $g)))
    (br $groups)))
  (i32.ne (local.get $table) (i32.const 0)))

;; pointwiseNarrow runs a 1x1 int8 conv of stride 1 with at most 4 output
;; channels, whose pixels are the input's, as a product with one vector of 4
;; channels per pixel: convPacked's blocks of 8 channels would leave half their
;; lanes or more on zeros. Eight pixels share each filter load. x: `pixels`
;; rows of cp i16 (widenPadded; cp may be odd, the filter's 0 after the last
;; channel meeting the next pixel's first); w: per input pair, one vector of 4
;; channels x 2 inputs (0 beyond the real ones). acc gets outC sums per pixel,
;; each started from its channel's bias at `bias` (4 read): 4 are stored per
;; pixel, pixel after pixel, so those past a pixel's own land on the next
;; pixel's, stored after (or in the caller's 16 bytes of slack). With `quant`
;; and the float form of the output step (convPacked's), 4 int8 results per
;; pixel go to qOut instead (stored the same way), and the result is 1.
(func (export "pointwiseNarrow") (param $x i32) (param $w i32) (param $acc i32) (param $pixels i32) (param $cp i32) (param $outC i32) (param $bias i32)
  (param $quant i32) (param $qOut i32) (result i32)
  (local $p i32) (local $pairs i32) (local $q i32) (local $row i32) (local $xp i32) (local $wp i32) (local $out i32) (local $outStride i32)
  (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
  (local $v v128) (local $b v128)
  (local $table i32) (local $tb i32) (local $offset v128) (local $offset16 v128) (local $min v128) (local $max v128)
  (local.set $table (call $fusedOutputStep (local.get $quant) (local.get $bias) (local.get $outC)))
  (if (local.get $table)
    (then
      ;; Every pixel's lanes are channels 0..3: the table's first block serves both pixels of a pair.
      (local.set $tb (i32.add (local.get $table) (i32.const 16)))
      (local.set $offset (i32x4.splat (i32.load (local.get $quant))))
      (local.set $offset16 (i16x8.splat (i32.load (local.get $quant))))
      (local.set $min (i8x16.splat (i32.load offset=4 (local.get $quant))))
      (local.set $max (i8x16.splat (i32.load offset=8 (local.get $quant))))))
  (local.set $b (v128.load (local.get $bias)))
  (local.set $pairs (i32.shr_u (i32.add (local.get $cp) (i32.const 1)) (i32.const 1)))
  (local.set $row (i32.shl (local.get $cp) (i32.const 1)))
  (local.set $outStride (i32.shl (local.get $outC) (i32.const 2)))
  (block $end8 (loop $pixels8
    (br_if $end8 (i32.gt_s (i32.add (local.get $p) (i32.const 8)) (local.get $pixels)))
    (local.set $a0 (local.get $b)) (local.set $a1 (local.get $b))
    (local.set $a2 (local.get $b)) (local.set $a3 (local.get $b))
    (local.set $a4 (local.get $b)) (local.set $a5 (local.get $b))
    (local.set $a6 (local.get $b)) (local.set $a7 (local.get $b))
    (local.set $xp (i32.add (local.get $x) (i32.mul (local.get $p) (local.get $row))))
    (local.set $wp (local.get $w))
    (local.set $q (i32.const 0))
    (block $endq (loop $pairsLoop
      (br_if $endq (i32.ge_s (local.get $q) (local.get $pairs)))
      (local.set $v (v128.load (local.get $wp)))
      (local.set $a0 (i32x4.add (local.get $a0) (i32x4.dot_i16x8_s (v128.load32_splat (local.get $xp)) (local.get $v))))
      (local.set $a1 (i32x4.add (local.get $a1) (i32x4.dot_i16x8_s (v128.load32_splat (i32.add (local.get $xp) (local.get $row))) (local.get $v))))
      (local.set $a2 (i32x4.add (local.get $a2) (i32x4.dot_i16x8_s
        (v128.load32_splat (i32.add (local.get $xp) (i32.shl (local.get $row) (i32.const 1)))) (local.get $v))))
      (local.set $a3 (i32x4.add (local.get $a3) (i32x4.dot_i16x8_s
        (v128.load32_splat (i32.add (local.get $xp) (i32.mul (local.get $row) (i32.const 3)))) (local.get $v))))
      (local.set $a4 (i32x4.add (local.get $a4) (i32x4.dot_i16x8_s
        (v128.load32_splat (i32.add (local.get $xp) (i32.shl (local.get $row) (i32.const 2)))) (local.get $v))))
      (local.set $a5 (i32x4.add (local.get $a5) (i32x4.dot_i16x8_s
        (v128.load32_splat (i32.add (local.get $xp) (i32.mul (local.get $row) (i32.const 5)))) (local.get $v))))
      (local.set $a6 (i32x4.add (local.get $a6) (i32x4.dot_i16x8_s
        (v128.load32_splat (i32.add (local.get $xp) (i32.mul (local.get $row) (i32.const 6)))) (local.get $v))))
      (local.set $a7 (i32x4.add (local.get $a7) (i32x4.dot_i16x8_s
        (v128.load32_splat (i32.add (local.get $xp) (i32.mul (local.get $row) (i32.const 7)))) (local.get $v))))
      (local.set $wp (i32.add (local.get $wp) (i32.const 16)))
      (local.set $xp (i32.add (local.get $xp) (i32.const 4)))
      (local.set $q (i32.add (local.get $q) (i32.const 1)))
      (br $pairsLoop)))
    (if (local.get $table)
      (then
        ;; Two pixels per output step, each pixel's 4 results stored whole, in pixel order (as the sums).
        (local.set $out (i32.add (local.get $qOut) (i32.mul (local.get $p) (local.get $outC))))
        (call $storePixelPair (local.get $out) (local.get $outC) (call $requantize8 (local.get $a0) (local.get $a1) (local.get $tb) (local.get $tb)
          (local.get $table) (local.get $offset) (local.get $offset16) (local.get $min) (local.get $max)))
        (local.set $out (i32.add (local.get $out) (i32.shl (local.get $outC) (i32.const 1))))
        (call $storePixelPair (local.get $out) (local.get $outC) (call $requantize8 (local.get $a2) (local.get $a3) (local.get $tb) (local.get $tb)
          (local.get $table) (local.get $offset) (local.get $offset16) (local.get $min) (local.get $max)))
        (local.set $out (i32.add (local.get $out) (i32.shl (local.get $outC) (i32.const 1))))
        (call $storePixelPair (local.get $out) (local.get $outC) (call $requantize8 (local.get $a4) (local.get $a5) (local.get $tb) (local.get $tb)
          (local.get $table) (local.get $offset) (local.get $offset16) (local.get $min) (local.get $max)))
        (local.set $out (i32.add (local.get $out) (i32.shl (local.get $outC) (i32.const 1))))
        (call $storePixelPair (local.get $out) (local.get $outC) (call $requantize8 (local.get $a6) (local.get $a7) (local.get $tb) (local.get $tb)
          (local.get $table) (local.get $offset) (local.get $offset16) (local.get $min) (local.get $max))))
      (else
        (local.set $out (i32.add (local.get $acc) (i32.mul (local.get $p) (local.get $outStride))))
        (v128.store (local.get $out) (local.get $a0))
        (local.set $out (i32.add (local.get $out) (local.get $outStride)))
        (v128.store (local.get $out) (local.get $a1))
        (local.set $out (i32.add (local.get $out) (local.get $outStride)))
        (v128.store (local.get $out) (local.get $a2))
        (local.set $out (i32.add (local.get $out) (local.get $outStride)))
        (v128.store (local.get $out) (local.get $a3))
        (local.set $out (i32.add (local.get $out) (local.get $outStride)))
        (v128.store (local.get $out) (local.get $a4))
        (local.set $out (i32.add (local.get $out) (local.get $outStride)))
        (v128.store (local.get $out) (local.get $a5))
        (local.set $out (i32.add (local.get $out) (local.get $outStride)))
        (v128.store (local.get $out) (local.get $a6))
        (local.set $out (i32.add (local.get $out) (local.get $outStride)))
        (v128.store (local.get $out) (local.get $a7))))
    (local.set $p (i32.add (local.get $p) (i32.const 8)))
    (br $pixels8)))
  ;; The last pixels one by one.
  (block $end1 (loop $pixels1
    (br_if $end1 (i32.ge_s (local.get $p) (local.get $pixels)))
    (local.set $a0 (local.get $b))
    (local.set $xp (i32.add (local.get $x) (i32.mul (local.get $p) (local.get $row))))
    (local.set $wp (local.get $w))
    (local.set $q (i32.const 0))
    (block $endq1 (loop $pairs1
      (br_if $endq1 (i32.ge_s (local.get $q) (local.get $pairs)))
      (local.set $a0 (i32x4.add (local.get $a0) (i32x4.dot_i16x8_s (v128.load32_splat (local.get $xp)) (v128.load (local.get $wp)))))
      (local.set $wp (i32.add (local.get $wp) (i32.const 16)))
      (local.set $xp (i32.add (local.get $xp) (i32.const 4)))
      (local.set $q (i32.add (local.get $q) (i32.const 1)))
      (br $pairs1)))
    (if (local.get $table)
      (then
        (v128.store32_lane 0 (i32.add (local.get $qOut) (i32.mul (local.get $p) (local.get $outC)))
          (call $requantize8 (local.get $a0) (local.get $a0) (local.get $tb) (local.get $tb)
            (local.get $table) (local.get $offset) (local.get $offset16) (local.get $min) (local.get $max))))
      (else (v128.store (i32.add (local.get $acc) (i32.mul (local.get $p) (local.get $outStride))) (local.get $a0))))
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    (br $pixels1)))
  (i32.ne (local.get $table) (i32.const 0)))

;; pointwiseFew runs a 1x1 int8 conv of stride 1 with 1 or 2 output channels
;; (a segmentation head's last conv) with pixels across lanes: pointwiseNarrow's
;; vector of 4 channels per pixel would leave 2 or 3 lanes on zeros, and it runs
;; the output step on 2 pixels per 8 lanes. Per group of 8 pixels, the rows of 4
;; pixels are read 4 input pairs at a time and transposed, so that one vector
;; holds one input pair of 4 pixels, and one multiply-add with a weight pair
;; splatted adds 2 products to 4 pixels' sums of one channel. x: pointwiseNarrow's
;; (cp may be odd: a pair may straddle pixels, against a 0 weight; a row's last
;; read may take up to 14 bytes past it, against 0 weights: the caller's 16
;; bytes of slack past x); w: per 4 input pairs, per pair, per output channel,
;; the pair's 2 weights 4 times (0 beyond the real channels). The last group of
;; fewer pixels re-reads the last pixel and stores only its own. Sums start from
;; the biases at `bias`; acc gets outC sums per pixel, or with `quant` and the
;; float form of the output step, qOut outC int8 results per pixel (result 1).
(func (export "pointwiseFew") (param $x i32) (param $w i32) (param $acc i32) (param $pixels i32) (param $cp i32) (param $outC i32) (param $bias i32)
  (param $quant i32) (param $qOut i32) (result i32)
  (local $p i32) (local $quads i32) (local $k i32) (local $row i32) (local $wq i32) (local $last i32) (local $valid i32) (local $two i32)
  (local $x0 i32) (local $x1 i32) (local $x2 i32) (local $x3 i32) (local $x4 i32) (local $x5 i32) (local $x6 i32) (local $x7 i32)
  (local $sub i32) (local $r0 i32) (local $r1 i32) (local $r2 i32) (local $r3 i32)
  (local $a0 v128) (local $a1 v128) (local $b0 v128) (local $b1 v128) (local $bias0 v128) (local $bias1 v128) (local $s0 v128) (local $s1 v128)
  (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128) (local $lo v128) (local $hi v128)
  (local $table i32) (local $tb i32) (local $offset v128) (local $offset16 v128) (local $min v128) (local $max v128)
  (local.set $table (call $fusedOutputStep (local.get $quant) (local.get $bias) (local.get $outC)))
  (if (local.get $table)
    (then
      (local.set $tb (i32.add (local.get $table) (i32.const 16)))
      (local.set $offset (i32x4.splat (i32.load (local.get $quant))))
      (local.set $offset16 (i16x8.splat (i32.load (local.get $quant))))
      (local.set $min (i8x16.splat (i32.load offset=4 (local.get $quant))))
      (local.set $max (i8x16.splat (i32.load offset=8 (local.get $quant))))))
  (local.set $two (i32.eq (local.get $outC) (i32.const 2)))
  (local.set $bias0 (v128.load32_splat (local.get $bias)))
  (local.set $bias1 (v128.load32_splat (i32.add (local.get $bias) (i32.shl (local.get $two) (i32.const 2)))))
  ;; Quads of input pairs per pixel, and the bytes of one pixel's row.
  (local.set $quads (i32.shr_u (i32.add (local.get $cp) (i32.const 7)) (i32.const 3)))
  (local.set $row (i32.shl (local.get $cp) (i32.const 1)))
  (local.set $last (i32.add (local.get $x) (i32.mul (i32.sub (local.get $pixels) (i32.const 1)) (local.get $row))))
  (block $end (loop $groups
    (br_if $end (i32.ge_s (local.get $p) (local.get $pixels)))
    (local.set $valid (select (i32.const 8) (i32.sub (local.get $pixels) (local.get $p)) (i32.ge_s (i32.sub (local.get $pixels) (local.get $p)) (i32.const 8))))
    ;; The group's rows; past the last pixel, the last pixel's again.
    (local.set $x0 (i32.add (local.get $x) (i32.mul (local.get $p) (local.get $row))))
    (local.set $x1 (select (i32.add (local.get $x0) (local.get $row)) (local.get $last) (i32.gt_s (local.get $valid) (i32.const 1))))
    (local.set $x2 (select (i32.add (local.get $x1) (local.get $row)) (local.get $last) (i32.gt_s (local.get $valid) (i32.const 2))))
    (local.set $x3 (select (i32.add (local.get $x2) (local.get $row)) (local.get $last) (i32.gt_s (local.get $valid) (i32.const 3))))
    (local.set $x4 (select (i32.add (local.get $x3) (local.get $row)) (local.get $last) (i32.gt_s (local.get $valid) (i32.const 4))))
    (local.set $x5 (select (i32.add (local.get $x4) (local.get $row)) (local.get $last) (i32.gt_s (local.get $valid) (i32.const 5))))
    (local.set $x6 (select (i32.add (local.get $x5) (local.get $row)) (local.get $last) (i32.gt_s (local.get $valid) (i32.const 6))))
    (local.set $x7 (select (i32.add (local.get $x6) (local.get $row)) (local.get $last) (i32.gt_s (local.get $valid) (i32.const 7))))
    ;; The group's first 4 pixels (into a0, a1), then its last 4 (b0, b1).
    (local.set $sub (i32.const 0))
    (loop $halves
      (local.set $r0 (select (local.get $x4) (local.get $x0) (local.get $sub)))
      (local.set $r1 (select (local.get $x5) (local.get $x1) (local.get $sub)))
      (local.set $r2 (select (local.get $x6) (local.get $x2) (local.get $sub)))
      (local.set $r3 (select (local.get $x7) (local.get $x3) (local.get $sub)))
      (local.set $s0 (local.get $bias0))
      (local.set $s1 (local.get $bias1))
      (local.set $wq (local.get $w))
      (local.set $k (i32.const 0))
      (block $endq (loop $quadsLoop
        (br_if $endq (i32.ge_s (local.get $k) (local.get $quads)))
        ;; The 4 rows' next 16 bytes transposed: c0 holds pair 0 of the 4 pixels, ..., c3 pair 3.
        (local.set $c0 (v128.load (local.get $r0)))
        (local.set $c1 (v128.load (local.get $r1)))
        (local.set $c2 (v128.load (local.get $r2)))
        (local.set $c3 (v128.load (local.get $r3)))
        (local.set $lo (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $c0) (local.get $c1)))
        (local.set $hi (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $c0) (local.get $c1)))
        (local.set $c0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $c2) (local.get $c3)))
        (local.set $c1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $c2) (local.get $c3)))
        (local.set $c2 (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $hi) (local.get $c1)))
        (local.set $c3 (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $hi) (local.get $c1)))
        (local.set $c1 (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $lo) (local.get $c0)))
        (local.set $c0 (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $lo) (local.get $c0)))
        (if (local.get $two)
          (then
            (local.set $s0 (i32x4.add (local.get $s0) (i32x4.add
              (i32x4.add (i32x4.dot_i16x8_s (local.get $c0) (v128.load offset=0 (local.get $wq))) (i32x4.dot_i16x8_s (local.get $c1) (v128.load offset=32 (local.get $wq))))
              (i32x4.add (i32x4.dot_i16x8_s (local.get $c2) (v128.load offset=64 (local.get $wq))) (i32x4.dot_i16x8_s (local.get $c3) (v128.load offset=96 (local.get $wq)))))))
            (local.set $s1 (i32x4.add (local.get $s1) (i32x4.add
              (i32x4.add (i32x4.dot_i16x8_s (local.get $c0) (v128.load offset=16 (local.get $wq))) (i32x4.dot_i16x8_s (local.get $c1) (v128.load offset=48 (local.get $wq))))
              (i32x4.add (i32x4.dot_i16x8_s (local.get $c2) (v128.load offset=80 (local.get $wq))) (i32x4.dot_i16x8_s (local.get $c3) (v128.load offset=112 (local.get $wq)))))))
            (local.set $wq (i32.add (local.get $wq) (i32.const 128))))
          (else
            (local.set $s0 (i32x4.add (local.get $s0) (i32x4.add
              (i32x4.add (i32x4.dot_i16x8_s (local.get $c0) (v128.load offset=0 (local.get $wq))) (i32x4.dot_i16x8_s (local.get $c1) (v128.load offset=16 (local.get $wq))))
              (i32x4.add (i32x4.dot_i16x8_s (local.get $c2) (v128.load offset=32 (local.get $wq))) (i32x4.dot_i16x8_s (local.get $c3) (v128.load offset=48 (local.get $wq)))))))
            (local.set $wq (i32.add (local.get $wq) (i32.const 64)))))
        (local.set $r0 (i32.add (local.get $r0) (i32.const 16)))
        (local.set $r1 (i32.add (local.get $r1) (i32.const 16)))
        (local.set $r2 (i32.add (local.get $r2) (i32.const 16)))
        (local.set $r3 (i32.add (local.get $r3) (i32.const 16)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $quadsLoop)))
      (if (local.get $sub)
        (then (local.set $b0 (local.get $s0)) (local.set $b1 (local.get $s1)))
        (else (local.set $a0 (local.get $s0)) (local.set $a1 (local.get $s1))))
      (local.set $sub (i32.add (local.get $sub) (i32.const 1)))
      (br_if $halves (i32.lt_u (local.get $sub) (i32.const 2))))
    ;; Into pixel order, 8 lanes in a0 and a1 (and b0, b1): one channel's 8 pixels; two channels' interleaved, 4 pixels.
    (if (local.get $two)
      (then
        (local.set $lo (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a0) (local.get $a1)))
        (local.set $hi (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a0) (local.get $a1)))
        (local.set $a0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $b0) (local.get $b1)))
        (local.set $a1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $b0) (local.get $b1)))
        (local.set $b0 (local.get $a0))
        (local.set $b1 (local.get $a1))
        (local.set $a0 (local.get $lo))
        (local.set $a1 (local.get $hi)))
      (else (local.set $a1 (local.get $b0))))
    (local.set $k (i32.mul (local.get $valid) (local.get $outC)))
    (if (local.get $table)
      (then
        (local.set $lo (call $requantize8 (local.get $a0) (local.get $a1) (local.get $tb) (i32.add (local.get $tb) (i32.const 96)) (local.get $table)
          (local.get $offset) (local.get $offset16) (local.get $min) (local.get $max)))
        (local.set $x0 (i32.add (local.get $qOut) (i32.mul (local.get $p) (local.get $outC))))
        (if (local.get $two)
          (then
            (local.set $hi (call $requantize8 (local.get $b0) (local.get $b1) (local.get $tb) (i32.add (local.get $tb) (i32.const 96)) (local.get $table)
              (local.get $offset) (local.get $offset16) (local.get $min) (local.get $max)))
            (local.set $lo (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $lo) (local.get $hi)))))
        (if (i32.eq (local.get $k) (i32.shl (i32.const 8) (local.get $two)))
          (then (if (local.get $two) (then (v128.store (local.get $x0) (local.get $lo))) (else (v128.store64_lane 0 (local.get $x0) (local.get $lo)))))
          (else (call $storeFirst (local.get $x0) (local.get $lo) (local.get $k)))))
      (else
        ;; The sums, 4 per vector in pixel order: a0, a1, then (two channels) b0, b1.
        (local.set $x0 (i32.add (local.get $acc) (i32.shl (i32.mul (local.get $p) (local.get $outC)) (i32.const 2))))
        (local.set $k (i32.shl (local.get $k) (i32.const 2)))
        (call $storeSums (local.get $x0) (local.get $a0) (local.get $k))
        (call $storeSums (i32.add (local.get $x0) (i32.const 16)) (local.get $a1) (i32.sub (local.get $k) (i32.const 16)))
        (call $storeSums (i32.add (local.get $x0) (i32.const 32)) (local.get $b0) (i32.sub (local.get $k) (i32.const 32)))
        (call $storeSums (i32.add (local.get $x0) (i32.const 48)) (local.get $b1) (i32.sub (local.get $k) (i32.const 48)))))
    (local.set $p (i32.add (local.get $p) (i32.const 8)))
    (br $groups)))
  (i32.ne (local.get $table) (i32.const 0)))

;; The first k bytes (up to 16) of the sums v at p; nothing for k <= 0.
(func $storeSums (param $p i32) (param $v v128) (param $k i32)
  (if (i32.ge_s (local.get $k) (i32.const 16))
    (then (v128.store (local.get $p) (local.get $v)))
    (else (if (i32.gt_s (local.get $k) (i32.const 0)) (then (call $storeFirst (local.get $p) (local.get $v) (local.get $k)))))))

;; The int8 results of two pixels of at most 4 channels (4 lanes each, from
;; requantize8) at p and p + n: each 4 bytes, the second after the first (so
;; it stores over the first's extra ones).
(func $storePixelPair (param $p i32) (param $n i32) (param $v v128)
  (v128.store32_lane 0 (local.get $p) (local.get $v))
  (v128.store32_lane 1 (i32.add (local.get $p) (local.get $n)) (local.get $v)))

;; Every block of 8 output channels (`blocks` of them, last first, each
;; blockBytes of w) for four output pixels whose windows start at x, x + at1,
;; x + at2 and x + at3: per block 8 vector sums, every filter load shared by the
;; four, started from the block's 8 biases at bias + 32 * block (0 with bias
;; -1); with a table ($fusedOutputStep), int8 results at q0 + 8 * block, qStride
;; per pixel, instead of the sums. One call per group of pixels, not per block:
;; a 1x1 conv of few input channels has little work per block to pay for a call.
(func $packedBlocks4 (param $x i32) (param $at1 i32) (param $at2 i32) (param $at3 i32) (param $w0s i32) (param $blocks i32) (param $blockBytes i32)
  (param $kH i32) (param $rowStep i32) (param $runs i32) (param $runStep i32) (param $runLen i32) (param $out0 i32) (param $outStride i32)
  (param $float i32) (param $bias i32)
  (param $table i32) (param $q0 i32) (param $qStride i32) (param $offset v128) (param $offset16 v128) (param $min v128) (param $max v128)
  (local $ky i32) (local $r i32) (local $q i32) (local $xr i32) (local $xp i32) (local $w i32) (local $out i32) (local $tb i32)
  (local $a0 v128) (local $a1 v128) (local $b0 v128) (local $b1 v128) (local $c0 v128) (local $c1 v128) (local $d0 v128) (local $d1 v128)
  (local $w0 v128) (local $w1 v128) (local $v v128)
  (loop $eachBlock
    (local.set $blocks (i32.sub (local.get $blocks) (i32.const 1)))
    (local.set $w (i32.add (local.get $w0s) (i32.mul (local.get $blocks) (local.get $blockBytes))))
    (local.set $out (i32.add (local.get $out0) (i32.shl (local.get $blocks) (i32.const 5))))
    (local.set $a0 (v128.const i32x4 0 0 0 0)) (local.set $a1 (v128.const i32x4 0 0 0 0))
    (if (i32.ne (local.get $bias) (i32.const -1))
      (then
        (local.set $a0 (v128.load offset=0 (i32.add (local.get $bias) (i32.shl (local.get $blocks) (i32.const 5)))))
        (local.set $a1 (v128.load offset=16 (i32.add (local.get $bias) (i32.shl (local.get $blocks) (i32.const 5)))))))
    (local.set $b0 (local.get $a0)) (local.set $b1 (local.get $a1))
    (local.set $c0 (local.get $a0)) (local.set $c1 (local.get $a1))
    (local.set $d0 (local.get $a0)) (local.set $d1 (local.get $a1))
    ;; float32: each step one input element (not a pair) times 8 channels' weights, multiplied and added as C does,
    ;; so each lane sums in the order of the filter's elements.
    (if (local.get $float)
      (then
        (local.set $ky (i32.const 0))
        (local.set $xr (local.get $x))
        (block $endkyF (loop $taprowsF
          (br_if $endkyF (i32.ge_s (local.get $ky) (local.get $kH)))
          (local.set $r (i32.const 0))
          (block $endrF (loop $runsLoopF
            (br_if $endrF (i32.ge_s (local.get $r) (local.get $runs)))
            (local.set $xp (i32.add (local.get $xr) (i32.mul (local.get $r) (local.get $runStep))))
            (local.set $q (i32.const 0))
            (block $endqF (loop $pairsF
              (br_if $endqF (i32.ge_s (local.get $q) (local.get $runLen)))
              (local.set $w0 (v128.load offset=0 (local.get $w)))
              (local.set $w1 (v128.load offset=16 (local.get $w)))
              (local.set $v (v128.load32_splat (local.get $xp)))
              (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $v) (local.get $w0))))
              (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $v) (local.get $w1))))
              (local.set $v (v128.load32_splat (i32.add (local.get $xp) (local.get $at1))))
              (local.set $b0 (f32x4.add (local.get $b0) (f32x4.mul (local.get $v) (local.get $w0))))
              (local.set $b1 (f32x4.add (local.get $b1) (f32x4.mul (local.get $v) (local.get $w1))))
              (local.set $v (v128.load32_splat (i32.add (local.get $xp) (local.get $at2))))
              (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (local.get $v) (local.get $w0))))
              (local.set $c1 (f32x4.add (local.get $c1) (f32x4.mul (local.get $v) (local.get $w1))))
              (local.set $v (v128.load32_splat (i32.add (local.get $xp) (local.get $at3))))
              (local.set $d0 (f32x4.add (local.get $d0) (f32x4.mul (local.get $v) (local.get $w0))))
              (local.set $d1 (f32x4.add (local.get $d1) (f32x4.mul (local.get $v) (local.get $w1))))
              (local.set $w (i32.add (local.get $w) (i32.const 32)))
              (local.set $xp (i32.add (local.get $xp) (i32.const 4)))
              (local.set $q (i32.add (local.get $q) (i32.const 1)))
              (br $pairsF)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $runsLoopF)))
          (local.set $xr (i32.add (local.get $xr) (local.get $rowStep)))
          (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
          (br $taprowsF))))
      (else
        (local.set $ky (i32.const 0))
        (local.set $xr (local.get $x))
        (block $endky (loop $taprows
          (br_if $endky (i32.ge_s (local.get $ky) (local.get $kH)))
          (local.set $r (i32.const 0))
          (block $endr (loop $runsLoop
            (br_if $endr (i32.ge_s (local.get $r) (local.get $runs)))
            (local.set $xp (i32.add (local.get $xr) (i32.mul (local.get $r) (local.get $runStep))))
            (local.set $q (i32.const 0))
            (block $endq (loop $pairs
              (br_if $endq (i32.ge_s (local.get $q) (local.get $runLen)))
              (local.set $w0 (v128.load offset=0 (local.get $w)))
              (local.set $w1 (v128.load offset=16 (local.get $w)))
              (local.set $v (v128.load32_splat (local.get $xp)))
              (local.set $a0 (i32x4.add (local.get $a0) (i32x4.dot_i16x8_s (local.get $v) (local.get $w0))))
              (local.set $a1 (i32x4.add (local.get $a1) (i32x4.dot_i16x8_s (local.get $v) (local.get $w1))))
              (local.set $v (v128.load32_splat (i32.add (local.get $xp) (local.get $at1))))
              (local.set $b0 (i32x4.add (local.get $b0) (i32x4.dot_i16x8_s (local.get $v) (local.get $w0))))
              (local.set $b1 (i32x4.add (local.get $b1) (i32x4.dot_i16x8_s (local.get $v) (local.get $w1))))
              (local.set $v (v128.load32_splat (i32.add (local.get $xp) (local.get $at2))))
              (local.set $c0 (i32x4.add (local.get $c0) (i32x4.dot_i16x8_s (local.get $v) (local.get $w0))))
              (local.set $c1 (i32x4.add (local.get $c1) (i32x4.dot_i16x8_s (local.get $v) (local.get $w1))))
              (local.set $v (v128.load32_splat (i32.add (local.get $xp) (local.get $at3))))
              (local.set $d0 (i32x4.add (local.get $d0) (i32x4.dot_i16x8_s (local.get $v) (local.get $w0))))
              (local.set $d1 (i32x4.add (local.get $d1) (i32x4.dot_i16x8_s (local.get $v) (local.get $w1))))
              (local.set $w (i32.add (local.get $w) (i32.const 32)))
              (local.set $xp (i32.add (local.get $xp) (i32.const 4)))
              (local.set $q (i32.add (local.get $q) (i32.const 1)))
              (br $pairs)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $runsLoop)))
          (local.set $xr (i32.add (local.get $xr) (local.get $rowStep)))
          (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
          (br $taprows)))))
    ;; All 8 sums (or, with a table, int8 results at q0, qStride apart) of each pixel (convPacked orders the stores so
    ;; that a short block's extra ones are overwritten).
    (if (local.get $table)
      (then
        (local.set $tb (i32.add (local.get $table) (i32.add (i32.const 16) (i32.mul (local.get $blocks) (i32.const 192)))))
        (local.set $q (i32.add (local.get $q0) (i32.shl (local.get $blocks) (i32.const 3))))
        (v128.store64_lane 0 (local.get $q) (call $requantize8 (local.get $a0) (local.get $a1) (local.get $tb) (i32.add (local.get $tb) (i32.const 96)) (local.get $table)
          (local.get $offset) (local.get $offset16) (local.get $min) (local.get $max)))
        (local.set $q (i32.add (local.get $q) (local.get $qStride)))
        (v128.store64_lane 0 (local.get $q) (call $requantize8 (local.get $b0) (local.get $b1) (local.get $tb) (i32.add (local.get $tb) (i32.const 96)) (local.get $table)
          (local.get $offset) (local.get $offset16) (local.get $min) (local.get $max)))
        (local.set $q (i32.add (local.get $q) (local.get $qStride)))
        (v128.store64_lane 0 (local.get $q) (call $requantize8 (local.get $c0) (local.get $c1) (local.get $tb) (i32.add (local.get $tb) (i32.const 96)) (local.get $table)
          (local.get $offset) (local.get $offset16) (local.get $min) (local.get $max)))
        (local.set $q (i32.add (local.get $q) (local.get $qStride)))
        (v128.store64_lane 0 (local.get $q) (call $requantize8 (local.get $d0) (local.get $d1) (local.get $tb) (i32.add (local.get $tb) (i32.const 96)) (local.get $table)
          (local.get $offset) (local.get $offset16) (local.get $min) (local.get $max))))
      (else
        (v128.store offset=0 (local.get $out) (local.get $a0))
        (v128.store offset=16 (local.get $out) (local.get $a1))
        (local.set $out (i32.add (local.get $out) (local.get $outStride)))
        (v128.store offset=0 (local.get $out) (local.get $b0))
        (v128.store offset=16 (local.get $out) (local.get $b1))
        (local.set $out (i32.add (local.get $out) (local.get $outStride)))
        (v128.store offset=0 (local.get $out) (local.get $c0))
        (v128.store offset=16 (local.get $out) (local.get $c1))
        (local.set $out (i32.add (local.get $out) (local.get $outStride)))
        (v128.store offset=0 (local.get $out) (local.get $d0))
        (v128.store offset=16 (local.get $out) (local.get $d1))))
    (br_if $eachBlock (local.get $blocks))))

;; packedBlocks4's one block for one output pixel (the row's last pixels); bias: the block's 8 biases, or -1; with a
;; table, int8 results at qAt (the block's table blocks at tb) instead of the sums.
(func $packedBlock1 (param $x i32) (param $w i32) (param $kH i32) (param $rowStep i32)
  (param $runs i32) (param $runStep i32) (param $runLen i32) (param $out i32) (param $float i32) (param $bias i32)
  (param $tb i32) (param $table i32) (param $qAt i32) (param $offset v128) (param $offset16 v128) (param $min v128) (param $max v128)
  (local $ky i32) (local $r i32) (local $q i32) (local $xr i32) (local $xp i32)
  (local $a0 v128) (local $a1 v128) (local $v v128)
  ;; This block's 8 biases, or 0 (bias -1).
  (if (i32.ne (local.get $bias) (i32.const -1))
    (then
      (local.set $a0 (v128.load offset=0 (local.get $bias)))
      (local.set $a1 (v128.load offset=16 (local.get $bias)))))
  (if (local.get $float)
    (then
      (local.set $xr (local.get $x))
      (block $endkyF (loop $taprowsF
        (br_if $endkyF (i32.ge_s (local.get $ky) (local.get $kH)))
        (local.set $r (i32.const 0))
        (block $endrF (loop $runsLoopF
          (br_if $endrF (i32.ge_s (local.get $r) (local.get $runs)))
          (local.set $xp (i32.add (local.get $xr) (i32.mul (local.get $r) (local.get $runStep))))
          (local.set $q (i32.const 0))
          (block $endqF (loop $pairsF
            (br_if $endqF (i32.ge_s (local.get $q) (local.get $runLen)))
            (local.set $v (v128.load32_splat (local.get $xp)))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $v) (v128.load offset=0 (local.get $w)))))
            (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $v) (v128.load offset=16 (local.get $w)))))
            (local.set $w (i32.add (local.get $w) (i32.const 32)))
            (local.set $xp (i32.add (local.get $xp) (i32.const 4)))
            (local.set $q (i32.add (local.get $q) (i32.const 1)))
            (br $pairsF)))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br $runsLoopF)))
        (local.set $xr (i32.add (local.get $xr) (local.get $rowStep)))
        (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
        (br $taprowsF))))
    (else
      (local.set $xr (local.get $x))
      (block $endky (loop $taprows
        (br_if $endky (i32.ge_s (local.get $ky) (local.get $kH)))
        (local.set $r (i32.const 0))
        (block $endr (loop $runsLoop
          (br_if $endr (i32.ge_s (local.get $r) (local.get $runs)))
          (local.set $xp (i32.add (local.get $xr) (i32.mul (local.get $r) (local.get $runStep))))
          (local.set $q (i32.const 0))
          (block $endq (loop $pairs
            (br_if $endq (i32.ge_s (local.get $q) (local.get $runLen)))
            (local.set $v (v128.load32_splat (local.get $xp)))
            (local.set $a0 (i32x4.add (local.get $a0) (i32x4.dot_i16x8_s (local.get $v) (v128.load offset=0 (local.get $w)))))
            (local.set $a1 (i32x4.add (local.get $a1) (i32x4.dot_i16x8_s (local.get $v) (v128.load offset=16 (local.get $w)))))
            (local.set $w (i32.add (local.get $w) (i32.const 32)))
            (local.set $xp (i32.add (local.get $xp) (i32.const 4)))
            (local.set $q (i32.add (local.get $q) (i32.const 1)))
            (br $pairs)))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br $runsLoop)))
        (local.set $xr (i32.add (local.get $xr) (local.get $rowStep)))
        (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
        (br $taprows)))))
  (if (local.get $table)
    (then
      (v128.store64_lane 0 (local.get $qAt) (call $requantize8 (local.get $a0) (local.get $a1) (local.get $tb) (i32.add (local.get $tb) (i32.const 96)) (local.get $table)
        (local.get $offset) (local.get $offset16) (local.get $min) (local.get $max))))
    (else
      (v128.store offset=0 (local.get $out) (local.get $a0))
      (v128.store offset=16 (local.get $out) (local.get $a1)))))

;; fullyConnectedPacked runs a FULLY_CONNECTED of a few rows (batches) with
;; constant weights, output channels across lanes as convPacked. One row has no
;; four pixels to share a weight load, so two blocks of 8 channels share each
;; input load instead, and two input pairs go per step, which leaves V8 four
;; independent sums and half the loop's own work. The caller lays out:
;; - x: rows of cp i16 (the input widened with its zero-point offset, cp the
;;   input depth rounded up to even; what lies in a padding lane is multiplied
;;   by a 0 weight);
;; - w: per group of 16 output channels, per input pair, four vectors of
;;   4 channels x 2 inputs (i16, offset added, 0 beyond the real channels);
;;   or, with `bytes` 1, the same values as int8 in two vectors (a large
;;   matrix: half the bytes to read, for two widenings per vector).
;; acc gets outC sums per row, written, each started from its channel's bias
;; at `bias` (16 read per group). A short last group stores all 16 sums: the
;; extra ones land past the row's, on the next row's first sums, which are
;; stored after (rows go in order), or in the caller's slack of 64 bytes. With
;; `quant` and the float form of the output step (convPacked's), the int8
;; results go to q instead, 16 per group as the sums (16 bytes of slack), and
;; the result is 1.
(func $fullyConnectedPacked (param $x i32) (param $w i32) (param $acc i32) (param $rows i32) (param $cp i32) (param $outC i32) (param $bytes i32)
  (param $bias i32) (param $quant i32) (param $q i32) (result i32)
  (local $r i32) (local $g i32) (local $groupBytes i32) (local $xr i32) (local $xp i32) (local $x2 i32) (local $xEnd i32) (local $wp i32) (local $out i32)
  (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $v v128) (local $u v128) (local $b v128)
  (local $table i32) (local $tb i32) (local $offset v128) (local $offset16 v128) (local $min v128) (local $max v128)
  (local.set $table (call $fusedOutputStep (local.get $quant) (local.get $bias) (local.get $outC)))
  (if (local.get $table)
    (then
      (local.set $offset (i32x4.splat (i32.load (local.get $quant))))
      (local.set $offset16 (i16x8.splat (i32.load (local.get $quant))))
      (local.set $min (i8x16.splat (i32.load offset=4 (local.get $quant))))
      (local.set $max (i8x16.splat (i32.load offset=8 (local.get $quant))))))
  ;; 16 channels x cp inputs of `bytes` each.
  (local.set $groupBytes (i32.shl (i32.mul (local.get $cp) (local.get $bytes)) (i32.const 4)))
  (local.set $xr (local.get $x))
  (block $endr (loop $rowsLoop
    (br_if $endr (i32.ge_s (local.get $r) (local.get $rows)))
    (local.set $xEnd (i32.add (local.get $xr) (i32.shl (local.get $cp) (i32.const 1))))
    (local.set $x2 (i32.sub (local.get $xEnd) (i32.const 4)))
    (local.set $g (i32.shr_u (i32.add (local.get $outC) (i32.const 15)) (i32.const 4)))
    (block $endg (loop $groups
      (br_if $endg (i32.eqz (local.get $g)))
      (local.set $g (i32.sub (local.get $g) (i32.const 1)))
      (local.set $wp (i32.add (local.get $w) (i32.mul (local.get $g) (local.get $groupBytes))))
      ;; The group's 16 biases (past the last channel: the multipliers').
      (local.set $out (i32.add (local.get $bias) (i32.shl (local.get $g) (i32.const 6))))
      (local.set $a0 (v128.load offset=0 (local.get $out)))
      (local.set $a1 (v128.load offset=16 (local.get $out)))
      (local.set $a2 (v128.load offset=32 (local.get $out)))
      (local.set $a3 (v128.load offset=48 (local.get $out)))
      (local.set $xp (local.get $xr))
      ;; Weights kept as int8 (bytes = 1): each load holds 8 channels' pairs, widened here.
      (if (i32.eq (local.get $bytes) (i32.const 1))
        (then
          (block $endq8 (loop $pairs8
            (br_if $endq8 (i32.ge_u (local.get $xp) (local.get $xEnd)))
            (local.set $v (v128.load32_splat (local.get $xp)))
            (local.set $b (v128.load offset=0 (local.get $wp)))
            (local.set $a0 (i32x4.add (local.get $a0) (i32x4.dot_i16x8_s (local.get $v) (i16x8.extend_low_i8x16_s (local.get $b)))))
            (local.set $a1 (i32x4.add (local.get $a1) (i32x4.dot_i16x8_s (local.get $v) (i16x8.extend_high_i8x16_s (local.get $b)))))
            (local.set $b (v128.load offset=16 (local.get $wp)))
            (local.set $a2 (i32x4.add (local.get $a2) (i32x4.dot_i16x8_s (local.get $v) (i16x8.extend_low_i8x16_s (local.get $b)))))
            (local.set $a3 (i32x4.add (local.get $a3) (i32x4.dot_i16x8_s (local.get $v) (i16x8.extend_high_i8x16_s (local.get $b)))))
            (local.set $wp (i32.add (local.get $wp) (i32.const 32)))
            (local.set $xp (i32.add (local.get $xp) (i32.const 4)))
            (br $pairs8)))))
      (block $endq (loop $pairs2
        (br_if $endq (i32.ge_u (local.get $xp) (local.get $x2)))
        (local.set $v (v128.load32_splat offset=0 (local.get $xp)))
        (local.set $u (v128.load32_splat offset=4 (local.get $xp)))
        (local.set $a0 (i32x4.add (local.get $a0) (i32x4.dot_i16x8_s (local.get $v) (v128.load offset=0 (local.get $wp)))))
        (local.set $a1 (i32x4.add (local.get $a1) (i32x4.dot_i16x8_s (local.get $v) (v128.load offset=16 (local.get $wp)))))
        (local.set $a2 (i32x4.add (local.get $a2) (i32x4.dot_i16x8_s (local.get $v) (v128.load offset=32 (local.get $wp)))))
        (local.set $a3 (i32x4.add (local.get $a3) (i32x4.dot_i16x8_s (local.get $v) (v128.load offset=48 (local.get $wp)))))
        (local.set $a0 (i32x4.add (local.get $a0) (i32x4.dot_i16x8_s (local.get $u) (v128.load offset=64 (local.get $wp)))))
        (local.set $a1 (i32x4.add (local.get $a1) (i32x4.dot_i16x8_s (local.get $u) (v128.load offset=80 (local.get $wp)))))
        (local.set $a2 (i32x4.add (local.get $a2) (i32x4.dot_i16x8_s (local.get $u) (v128.load offset=96 (local.get $wp)))))
        (local.set $a3 (i32x4.add (local.get $a3) (i32x4.dot_i16x8_s (local.get $u) (v128.load offset=112 (local.get $wp)))))
        (local.set $wp (i32.add (local.get $wp) (i32.const 128)))
        (local.set $xp (i32.add (local.get $xp) (i32.const 8)))
        (br $pairs2)))
      ;; An odd count of pairs leaves one.
      (if (i32.lt_u (local.get $xp) (local.get $xEnd))
        (then
          (local.set $v (v128.load32_splat (local.get $xp)))
          (local.set $a0 (i32x4.add (local.get $a0) (i32x4.dot_i16x8_s (local.get $v) (v128.load offset=0 (local.get $wp)))))
          (local.set $a1 (i32x4.add (local.get $a1) (i32x4.dot_i16x8_s (local.get $v) (v128.load offset=16 (local.get $wp)))))
          (local.set $a2 (i32x4.add (local.get $a2) (i32x4.dot_i16x8_s (local.get $v) (v128.load offset=32 (local.get $wp)))))
          (local.set $a3 (i32x4.add (local.get $a3) (i32x4.dot_i16x8_s (local.get $v) (v128.load offset=48 (local.get $wp)))))))
      (local.set $out (i32.add (i32.mul (local.get $r) (local.get $outC)) (i32.shl (local.get $g) (i32.const 4))))
      (if (local.get $table)
        (then
          ;; The group's lanes' table blocks; its second 8 channels, when it has any, from 8 blocks on (the lane period
          ;; may end before them).
          (local.set $tb (i32.add (local.get $table) (i32.add (i32.const 16) (i32.mul (local.get $g) (i32.const 384)))))
          (local.set $v (call $requantize8 (local.get $a0) (local.get $a1) (local.get $tb) (i32.add (local.get $tb) (i32.const 96)) (local.get $table)
            (local.get $offset) (local.get $offset16) (local.get $min) (local.get $max)))
          (if (i32.lt_s (i32.add (i32.shl (local.get $g) (i32.const 4)) (i32.const 8)) (local.get $outC))
            (then
              (local.set $v (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $v)
                (call $requantize8 (local.get $a2) (local.get $a3) (i32.add (local.get $tb) (i32.const 192)) (i32.add (local.get $tb) (i32.const 288)) (local.get $table)
                  (local.get $offset) (local.get $offset16) (local.get $min) (local.get $max))))))
          (v128.store (i32.add (local.get $q) (local.get $out)) (local.get $v)))
        (else
          (local.set $out (i32.add (local.get $acc) (i32.shl (local.get $out) (i32.const 2))))
          (v128.store offset=0 (local.get $out) (local.get $a0))
          (v128.store offset=16 (local.get $out) (local.get $a1))
          (v128.store offset=32 (local.get $out) (local.get $a2))
          (v128.store offset=48 (local.get $out) (local.get $a3))))
      (br $groups)))
    (local.set $xr (local.get $xEnd))
    (local.set $r (i32.add (local.get $r) (i32.const 1)))
    (br $rowsLoop)))
  (i32.ne (local.get $table) (i32.const 0)))

;; A whole int8 FULLY_CONNECTED of few rows (each call costs a small model
;; more than its arithmetic), its parameters in a record of i32 words at r:
;; src, rows, len, inOffset, x, w, bytes, acc, outC, params, outOffset, qmin,
;; qmax, out. The staged int8 input at src (rows x len, 16 bytes of slack)
;; widened with inOffset into x, cp = len rounded up to even;
;; fullyConnectedPacked (params: outC int32 biases, multipliers, shifts, then
;; requantizeI8's table) into the int8 results at out (16 bytes of slack), or
;; into sums at acc and requantizeI8 of them into out.
(func $fullyConnectedRecord (param $r i32)
  (local $rows i32) (local $len i32) (local $cp i32) (local $x i32) (local $acc i32) (local $outC i32) (local $params i32)
  (local.set $rows (i32.load offset=4 (local.get $r)))
  (local.set $len (i32.load offset=8 (local.get $r)))
  (local.set $x (i32.load offset=16 (local.get $r)))
  (local.set $acc (i32.load offset=28 (local.get $r)))
  (local.set $outC (i32.load offset=32 (local.get $r)))
  (local.set $params (i32.load offset=36 (local.get $r)))
  (local.set $cp (i32.add (local.get $len) (i32.and (local.get $len) (i32.const 1))))
  ;; One row needs no per-row padding: widened whole, its one padding lane (an odd length) set to 0.
  (if (i32.or (i32.eq (local.get $cp) (local.get $len)) (i32.eq (local.get $rows) (i32.const 1)))
    (then
      (call $widenI8 (i32.load offset=0 (local.get $r)) (i32.mul (local.get $rows) (local.get $len)) (i32.load offset=12 (local.get $r)) (local.get $x))
      (if (i32.ne (local.get $cp) (local.get $len))
        (then (i32.store16 (i32.add (local.get $x) (i32.shl (local.get $len) (i32.const 1))) (i32.const 0)))))
    (else (call $widenPadded (i32.load offset=0 (local.get $r)) (i32.const 1) (local.get $rows) (i32.const 1) (local.get $len) (i32.load offset=12 (local.get $r))
      (local.get $x) (local.get $rows) (i32.const 1) (local.get $cp) (i32.const 0) (i32.const 0))))
  ;; The record's words from 40 (output offset, qmin, qmax) are the kernels' `quant`.
  (if (i32.eqz (call $fullyConnectedPacked (local.get $x) (i32.load offset=20 (local.get $r)) (local.get $acc) (local.get $rows) (local.get $cp) (local.get $outC)
        (i32.load offset=24 (local.get $r)) (local.get $params) (i32.add (local.get $r) (i32.const 40)) (i32.load offset=52 (local.get $r))))
    (then
      (call $requantizeI8 (local.get $acc) (i32.mul (local.get $rows) (local.get $outC)) (local.get $outC)
        (i32.const -1) (i32.add (local.get $params) (i32.shl (local.get $outC) (i32.const 2))) (i32.add (local.get $params) (i32.shl (local.get $outC) (i32.const 3)))
        (i32.load offset=40 (local.get $r)) (i32.load offset=44 (local.get $r)) (i32.load offset=48 (local.get $r)) (i32.load offset=52 (local.get $r))
        (i32.add (local.get $params) (i32.mul (local.get $outC) (i32.const 12)))))))

;; int8 FULLY_CONNECTED operators in one call from JavaScript: count records
;; of 16 i32 words (fullyConnectedRecord's 14, then 2 unused), one after the
;; other. Operators that feed each other (a small model's are cheaper than
;; their calls) have a record's out as the next one's src, so each
;; operator's results stay where the next reads them, and every operator's
;; are there for the caller to copy out.
(func (export "fullyConnectedRecordsI8") (param $records i32) (param $count i32)
  (local $r i32) (local $end i32)
  (local.set $r (local.get $records))
  (local.set $end (i32.add (local.get $records) (i32.shl (local.get $count) (i32.const 6))))
  (block $done (loop $ops
    (br_if $done (i32.ge_u (local.get $r) (local.get $end)))
    (call $fullyConnectedRecord (local.get $r))
    (local.set $r (i32.add (local.get $r) (i32.const 64)))
    (br $ops))))

;; widenI8 into a padded layout: src [batch][h][w][c] lands at dst
;; [batch][hp][wp][cp] from row padT and column padL, channels 0..c-1, and
;; every other element of dst (padding rows, columns and channels) is 0.
(func $widenPadded (export "widenPadded") (param $src i32) (param $batches i32) (param $h i32) (param $w i32) (param $c i32) (param $offset i32)
  (param $dst i32) (param $hp i32) (param $wp i32) (param $cp i32) (param $padT i32) (param $padL i32)
  (local $n i32) (local $y i32) (local $x i32) (local $d i32) (local $k i32) (local $at i32) (local $left i32) (local $v v128) (local $off v128)
  (local $pixBytes i32) (local $rowBytes i32) (local $image i32) (local $leftBytes i32) (local $rightBytes i32)
  (local.set $off (i16x8.splat (local.get $offset)))
  (local.set $pixBytes (i32.shl (local.get $cp) (i32.const 1)))
  (local.set $rowBytes (i32.mul (local.get $wp) (local.get $pixBytes)))
  (local.set $leftBytes (i32.mul (local.get $padL) (local.get $pixBytes)))
  (local.set $rightBytes (i32.mul (i32.sub (i32.sub (local.get $wp) (local.get $padL)) (local.get $w)) (local.get $pixBytes)))
  (block $endn (loop $batch
    (br_if $endn (i32.ge_s (local.get $n) (local.get $batches)))
    ;; The padding rows above the batch's image (those below after its rows: the last row's right padding may store
    ;; zeros past itself).
    (local.set $image (i32.add (local.get $dst) (i32.mul (i32.mul (local.get $n) (local.get $hp)) (local.get $rowBytes))))
    (memory.fill (local.get $image) (i32.const 0) (i32.mul (local.get $padT) (local.get $rowBytes)))
    (local.set $y (i32.const 0))
    (block $endy (loop $rows
      (br_if $endy (i32.ge_s (local.get $y) (local.get $h)))
      (local.set $d (i32.add (local.get $dst) (i32.shl (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $hp)) (i32.add (local.get $y) (local.get $padT)))
                                                                                (local.get $wp)) (local.get $padL)) (local.get $cp)) (i32.const 1))))
      ;; The padding columns left and right of the row, before its elements, in whole vectors (a memory.fill is a
      ;; call out of the module): the zeros past them land on this row's elements, on the next row's, and on the
      ;; rows below, all written after, or in the caller's 16 bytes of slack.
      (call $zeroVectors (i32.sub (local.get $d) (local.get $leftBytes)) (local.get $leftBytes))
      (call $zeroVectors (i32.add (local.get $d) (i32.mul (local.get $w) (local.get $pixBytes))) (local.get $rightBytes))
      (if (i32.eq (local.get $c) (local.get $cp))
        (then
          (call $widenI8 (local.get $src) (i32.mul (local.get $w) (local.get $c)) (local.get $offset) (local.get $d))
          (local.set $src (i32.add (local.get $src) (i32.mul (local.get $w) (local.get $c)))))
        (else
          ;; Pixel by pixel, 8 channels per vector: a vector reads up to 7 bytes past the pixel (the caller leaves 16
          ;; bytes of slack past src), its lanes past the channels are masked to 0, and exactly cp * 2 bytes are stored
          ;; so that a padding column after the row stays 0.
          (local.set $x (i32.const 0))
          (block $endx (loop $cols
            (br_if $endx (i32.ge_s (local.get $x) (local.get $w)))
            (local.set $k (i32.const 0))
            (block $endk (loop $chans
              (br_if $endk (i32.ge_s (local.get $k) (local.get $cp)))
              (local.set $v (v128.and
                (i16x8.add (i16x8.extend_low_i8x16_s (v128.load64_zero (i32.add (local.get $src) (local.get $k)))) (local.get $off))
                (i16x8.gt_s (i16x8.splat (i32.sub (local.get $c) (local.get $k))) (v128.const i16x8 0 1 2 3 4 5 6 7))))
              (local.set $at (i32.add (local.get $d) (i32.shl (local.get $k) (i32.const 1))))
              (local.set $left (i32.sub (local.get $cp) (local.get $k)))
              (if (i32.ge_s (local.get $left) (i32.const 8))
                (then (v128.store (local.get $at) (local.get $v)))
                (else
                  ;; 2, 4 or 6 channels (cp is even).
                  (if (i32.and (local.get $left) (i32.const 4))
                    (then
                      (v128.store64_lane 0 (local.get $at) (local.get $v))
                      (if (i32.and (local.get $left) (i32.const 2)) (then (v128.store32_lane offset=8 2 (local.get $at) (local.get $v)))))
                    (else (v128.store32_lane 0 (local.get $at) (local.get $v))))))
              (local.set $k (i32.add (local.get $k) (i32.const 8)))
              (br $chans)))
            (local.set $src (i32.add (local.get $src) (local.get $c)))
            (local.set $d (i32.add (local.get $d) (i32.shl (local.get $cp) (i32.const 1))))
            (local.set $x (i32.add (local.get $x) (i32.const 1)))
            (br $cols)))))
      (local.set $y (i32.add (local.get $y) (i32.const 1)))
      (br $rows)))
    (memory.fill (i32.add (local.get $image) (i32.mul (i32.add (local.get $padT) (local.get $h)) (local.get $rowBytes))) (i32.const 0)
      (i32.mul (i32.sub (i32.sub (local.get $hp) (local.get $padT)) (local.get $h)) (local.get $rowBytes)))
    (local.set $n (i32.add (local.get $n) (i32.const 1)))
    (br $batch))))

;; Zeros from p on: `bytes` of them rounded up to whole vectors.
(func $zeroVectors (param $p i32) (param $bytes i32)
  (block $end (loop $each
    (br_if $end (i32.le_s (local.get $bytes) (i32.const 0)))
    (v128.store (local.get $p) (v128.const i64x2 0 0))
    (local.set $p (i32.add (local.get $p) (i32.const 16)))
    (local.set $bytes (i32.sub (local.get $bytes) (i32.const 16)))
    (br $each))))

;; A depthwise int8 conv with one channel per lane, over the layouts of
;; convPacked: x from widenPadded (every window whole, channels padded to a
;; multiple of 8: cp); w per block of 8 channels, per tap, two i16 vectors:
;; the even channels' weights with 0 between them, then the odd channels'.
;; i32x4.dot_i16x8_s of an input vector with the first yields the even
;; channels' products, with the second the odd ones' (one multiply-add
;; instruction each, where widening multiplies take three). Four output
;; pixels share every filter load (taken in raster order, across rows and
;; batches like convPacked's groups; a last group of fewer re-reads its first
;; window for the missing ones and does not store them); per pixel and block
;; the sums stay in registers over all taps and are interleaved back into
;; channel order at the store. acc gets outC sums per output pixel, and needs
;; 32 bytes past them; each starts from its channel's bias at `bias` (8 read
;; per block: a short last block's extra sums are stored over).
;; Integer sums: any order gives TFLM's.
(func (export "depthwisePacked") (param $x i32) (param $w i32) (param $acc i32)
  (param $batches i32) (param $hp i32) (param $wp i32) (param $cp i32) (param $outC i32) (param $kH i32) (param $kW i32)
  (param $outH i32) (param $outW i32) (param $sH i32) (param $sW i32) (param $dH i32) (param $dW i32) (param $bias i32)
  (param $quant i32) (param $out i32) (result i32)
  (local $p i32) (local $pixels i32) (local $g i32) (local $k i32) (local $at i32)
  (local $n i32) (local $oy i32) (local $ox i32) (local $rowAt i32) (local $rowBytes i32)
  (local $x0 i32) (local $x1 i32) (local $x2 i32) (local $x3 i32)
  (local $b i32) (local $ky i32) (local $kx i32) (local $xr i32) (local $xk i32) (local $wk i32)
  (local $rowStep i32) (local $colStep i32) (local $tapBytes i32) (local $pixStep i32) (local $blockBytes i32) (local $outBytes i32)
  (local $table i32) (local $tb i32)
  (local $e0 v128) (local $o0 v128) (local $e1 v128) (local $o1 v128) (local $e2 v128) (local $o2 v128) (local $e3 v128) (local $o3 v128)
  (local $v v128) (local $we v128) (local $wo v128)
  (local $offset v128) (local $offset16 v128) (local $min v128) (local $max v128)
  (local.set $table (call $fusedOutputStep (local.get $quant) (local.get $bias) (local.get $outC)))
  (if (local.get $table)
    (then
      (local.set $offset (i32x4.splat (i32.load (local.get $quant))))
      (local.set $offset16 (i16x8.splat (i32.load (local.get $quant))))
      (local.set $min (i8x16.splat (i32.load offset=4 (local.get $quant))))
      (local.set $max (i8x16.splat (i32.load offset=8 (local.get $quant))))))
  (local.set $tapBytes (i32.shl (local.get $cp) (i32.const 1)))
  (local.set $rowBytes (i32.mul (local.get $wp) (local.get $tapBytes)))
  (local.set $rowStep (i32.mul (local.get $dH) (local.get $rowBytes)))
  (local.set $colStep (i32.mul (local.get $dW) (local.get $tapBytes)))
  (local.set $pixStep (i32.mul (local.get $sW) (local.get $tapBytes)))
  (local.set $blockBytes (i32.shl (i32.mul (local.get $kH) (local.get $kW)) (i32.const 5)))
  (local.set $outBytes (i32.shl (local.get $outC) (i32.const 2)))
  (local.set $pixels (i32.mul (i32.mul (local.get $batches) (local.get $outH)) (local.get $outW)))
  ;; A cursor on the next pixel's window: batch n, output row oy, column ox, and the row's first window at rowAt.
  (local.set $rowAt (local.get $x))
  (block $end (loop $groups
    (br_if $end (i32.ge_s (local.get $p) (local.get $pixels)))
    (local.set $g (select (i32.const 4) (i32.sub (local.get $pixels) (local.get $p)) (i32.ge_s (i32.sub (local.get $pixels) (local.get $p)) (i32.const 4))))
    ;; The group's windows: x0, and the others as offsets from it (0 past the group's pixels).
    (local.set $x1 (i32.const 0)) (local.set $x2 (i32.const 0)) (local.set $x3 (i32.const 0))
    (local.set $k (i32.const 0))
    (loop $take
      (local.set $at (i32.add (local.get $rowAt) (i32.mul (local.get $ox) (local.get $pixStep))))
      (if (i32.eqz (local.get $k)) (then (local.set $x0 (local.get $at))))
      (local.set $at (i32.sub (local.get $at) (local.get $x0)))
      (local.set $x1 (select (local.get $at) (local.get $x1) (i32.eq (local.get $k) (i32.const 1))))
      (local.set $x2 (select (local.get $at) (local.get $x2) (i32.eq (local.get $k) (i32.const 2))))
      (local.set $x3 (select (local.get $at) (local.get $x3) (i32.eq (local.get $k) (i32.const 3))))
      (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
      (if (i32.eq (local.get $ox) (local.get $outW))
        (then
          (local.set $ox (i32.const 0))
          (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
          (if (i32.eq (local.get $oy) (local.get $outH)) (then (local.set $oy (i32.const 0)) (local.set $n (i32.add (local.get $n) (i32.const 1)))))
          (local.set $rowAt (i32.add (local.get $x)
            (i32.mul (i32.add (i32.mul (local.get $n) (local.get $hp)) (i32.mul (local.get $oy) (local.get $sH))) (local.get $rowBytes))))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $take (i32.lt_s (local.get $k) (local.get $g))))
    ;; Blocks last first, and each pixel's store before the next one's: a short last block's extra sums land on the
    ;; next pixel's first ones, which are stored after (or in the caller's slack past the last pixel).
    (local.set $b (i32.and (i32.add (local.get $outC) (i32.const 7)) (i32.const -8)))
    (block $endb (loop $blocks
      (br_if $endb (i32.eqz (local.get $b)))
      (local.set $b (i32.sub (local.get $b) (i32.const 8)))
      ;; Sums started from the block's biases (8 read), even and odd channels apart as the sums are.
      (local.set $we (v128.load offset=0 (i32.add (local.get $bias) (i32.shl (local.get $b) (i32.const 2)))))
      (local.set $wo (v128.load offset=16 (i32.add (local.get $bias) (i32.shl (local.get $b) (i32.const 2)))))
      (local.set $e0 (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $we) (local.get $wo)))
      (local.set $o0 (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $we) (local.get $wo)))
      (local.set $e1 (local.get $e0)) (local.set $o1 (local.get $o0))
      (local.set $e2 (local.get $e0)) (local.set $o2 (local.get $o0))
      (local.set $e3 (local.get $e0)) (local.set $o3 (local.get $o0))
      (local.set $xr (i32.add (local.get $x0) (i32.shl (local.get $b) (i32.const 1))))
      (local.set $wk (i32.add (local.get $w) (i32.mul (i32.shr_u (local.get $b) (i32.const 3)) (local.get $blockBytes))))
      (local.set $ky (i32.const 0))
      (block $endky (loop $taprows
        (br_if $endky (i32.ge_s (local.get $ky) (local.get $kH)))
        (local.set $xk (local.get $xr))
        (local.set $kx (i32.const 0))
        (block $endkx (loop $tapcols
          (br_if $endkx (i32.ge_s (local.get $kx) (local.get $kW)))
          (local.set $we (v128.load offset=0 (local.get $wk)))
          (local.set $wo (v128.load offset=16 (local.get $wk)))
          (local.set $v (v128.load (local.get $xk)))
          (local.set $e0 (i32x4.add (local.get $e0) (i32x4.dot_i16x8_s (local.get $v) (local.get $we))))
          (local.set $o0 (i32x4.add (local.get $o0) (i32x4.dot_i16x8_s (local.get $v) (local.get $wo))))
          (local.set $v (v128.load (i32.add (local.get $xk) (local.get $x1))))
          (local.set $e1 (i32x4.add (local.get $e1) (i32x4.dot_i16x8_s (local.get $v) (local.get $we))))
          (local.set $o1 (i32x4.add (local.get $o1) (i32x4.dot_i16x8_s (local.get $v) (local.get $wo))))
          (local.set $v (v128.load (i32.add (local.get $xk) (local.get $x2))))
          (local.set $e2 (i32x4.add (local.get $e2) (i32x4.dot_i16x8_s (local.get $v) (local.get $we))))
          (local.set $o2 (i32x4.add (local.get $o2) (i32x4.dot_i16x8_s (local.get $v) (local.get $wo))))
          (local.set $v (v128.load (i32.add (local.get $xk) (local.get $x3))))
          (local.set $e3 (i32x4.add (local.get $e3) (i32x4.dot_i16x8_s (local.get $v) (local.get $we))))
          (local.set $o3 (i32x4.add (local.get $o3) (i32x4.dot_i16x8_s (local.get $v) (local.get $wo))))
          (local.set $xk (i32.add (local.get $xk) (local.get $colStep)))
          (local.set $wk (i32.add (local.get $wk) (i32.const 32)))
          (local.set $kx (i32.add (local.get $kx) (i32.const 1)))
          (br $tapcols)))
        (local.set $xr (i32.add (local.get $xr) (local.get $rowStep)))
        (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
        (br $taprows)))
      (local.set $tb (select (i32.add (local.get $table) (i32.add (i32.const 16) (i32.mul (i32.shr_u (local.get $b) (i32.const 3)) (i32.const 192))))
        (i32.const 0) (local.get $table)))
      (local.set $k (i32.add (local.get $out) (i32.add (i32.mul (local.get $p) (local.get $outC)) (local.get $b))))
      (local.set $at (i32.add (local.get $acc) (i32.add (i32.mul (local.get $p) (local.get $outBytes)) (i32.shl (local.get $b) (i32.const 2)))))
      (call $depthwiseStore (local.get $e0) (local.get $o0) (local.get $table) (local.get $tb) (local.get $k) (local.get $at)
        (local.get $offset) (local.get $offset16) (local.get $min) (local.get $max))
      (if (i32.gt_s (local.get $g) (i32.const 1))
        (then
          (call $depthwiseStore (local.get $e1) (local.get $o1) (local.get $table) (local.get $tb)
            (i32.add (local.get $k) (local.get $outC)) (i32.add (local.get $at) (local.get $outBytes))
            (local.get $offset) (local.get $offset16) (local.get $min) (local.get $max))
          (if (i32.gt_s (local.get $g) (i32.const 2))
            (then
              (call $depthwiseStore (local.get $e2) (local.get $o2) (local.get $table) (local.get $tb)
                (i32.add (local.get $k) (i32.shl (local.get $outC) (i32.const 1))) (i32.add (local.get $at) (i32.shl (local.get $outBytes) (i32.const 1)))
                (local.get $offset) (local.get $offset16) (local.get $min) (local.get $max))
              (if (i32.gt_s (local.get $g) (i32.const 3))
                (then
                  (call $depthwiseStore (local.get $e3) (local.get $o3) (local.get $table) (local.get $tb)
                    (i32.add (local.get $k) (i32.mul (local.get $outC) (i32.const 3))) (i32.add (local.get $at) (i32.mul (local.get $outBytes) (i32.const 3)))
                    (local.get $offset) (local.get $offset16) (local.get $min) (local.get $max))))))))
      (br $blocks)))
    (local.set $p (i32.add (local.get $p) (local.get $g)))
    (br $groups)))
  (i32.ne (local.get $table) (i32.const 0)))

;; One pixel's block of depthwisePacked: its even and odd channels' sums e and
;; o back in channel order; with a table, the 8 int8 results (requantize8,
;; the table's blocks at tb) at q, else the 8 sums at s.
(func $depthwiseStore (param $e v128) (param $o v128) (param $table i32) (param $tb i32) (param $q i32) (param $s i32)
  (param $offset v128) (param $offset16 v128) (param $min v128) (param $max v128)
  (local $lo v128) (local $hi v128)
  (local.set $lo (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $e) (local.get $o)))
  (local.set $hi (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $e) (local.get $o)))
  (if (local.get $table)
    (then
      (v128.store64_lane 0 (local.get $q) (call $requantize8 (local.get $lo) (local.get $hi) (local.get $tb) (i32.add (local.get $tb) (i32.const 96))
        (local.get $table) (local.get $offset) (local.get $offset16) (local.get $min) (local.get $max))))
    (else
      (v128.store offset=0 (local.get $s) (local.get $lo))
      (v128.store offset=16 (local.get $s) (local.get $hi)))))

;; depthwisePacked for at most 4 channels and stride 1 (cp = 4): two
;; neighbouring output pixels' windows are 8 consecutive i16 values (4
;; channels each), so one vector holds both pixels' taps and w holds each
;; tap's weights twice (even and odd channels as in depthwisePacked). The
;; sums of a pair are its first pixel's 4 and its second's 4; each pixel's
;; store is a whole 4 lanes, the second after the first (with fewer channels
;; it overwrites the first's extra lanes). A row's odd last pixel reads its
;; twin's lanes past the window (up to 8 bytes past x's end: the caller's
;; slack) and stores only its own. Sums start from the biases at `bias`
;; (outC int32, 4 read). `quant` and `out`: depthwisePacked's (4 int8 results
;; per pixel, stored as the sums).
(func (export "depthwisePacked4") (param $x i32) (param $w i32) (param $acc i32)
  (param $batches i32) (param $hp i32) (param $wp i32) (param $outC i32) (param $kH i32) (param $kW i32)
  (param $outH i32) (param $outW i32) (param $sH i32) (param $dH i32) (param $dW i32) (param $bias i32)
  (param $quant i32) (param $out i32) (result i32)
  (local $n i32) (local $oy i32) (local $ox i32) (local $ky i32) (local $kx i32) (local $two i32)
  (local $xr i32) (local $xk i32) (local $wk i32) (local $o i32) (local $rowStep i32) (local $colStep i32) (local $outBytes i32)
  (local $e v128) (local $d v128) (local $v v128) (local $be v128) (local $bd v128)
  (local $table i32) (local $tb i32) (local $offset v128) (local $offset16 v128) (local $min v128) (local $max v128)
  (local.set $table (call $fusedOutputStep (local.get $quant) (local.get $bias) (local.get $outC)))
  (if (local.get $table)
    (then
      ;; Both pixels' lanes are channels 0..3: the table's first block serves both.
      (local.set $tb (i32.add (local.get $table) (i32.const 16)))
      (local.set $offset (i32x4.splat (i32.load (local.get $quant))))
      (local.set $offset16 (i16x8.splat (i32.load (local.get $quant))))
      (local.set $min (i8x16.splat (i32.load offset=4 (local.get $quant))))
      (local.set $max (i8x16.splat (i32.load offset=8 (local.get $quant))))))
  ;; Every pair's sums start from the biases (4 read), laid out as e and d are: even channels of both pixels, odd ones.
  (local.set $v (v128.load (local.get $bias)))
  (local.set $be (i8x16.shuffle 0 1 2 3 8 9 10 11 0 1 2 3 8 9 10 11 (local.get $v) (local.get $v)))
  (local.set $bd (i8x16.shuffle 4 5 6 7 12 13 14 15 4 5 6 7 12 13 14 15 (local.get $v) (local.get $v)))
  (local.set $rowStep (i32.shl (i32.mul (local.get $dH) (local.get $wp)) (i32.const 3)))
  (local.set $colStep (i32.shl (local.get $dW) (i32.const 3)))
  (local.set $outBytes (i32.shl (local.get $outC) (i32.const 2)))
  (local.set $o (local.get $acc))
  (block $endn (loop $batch
    (br_if $endn (i32.ge_s (local.get $n) (local.get $batches)))
    (local.set $oy (i32.const 0))
    (block $endy (loop $rows
      (br_if $endy (i32.ge_s (local.get $oy) (local.get $outH)))
      (local.set $ox (i32.const 0))
      (block $endx (loop $cols
        (br_if $endx (i32.ge_s (local.get $ox) (local.get $outW)))
        (local.set $two (i32.lt_s (i32.add (local.get $ox) (i32.const 1)) (local.get $outW)))
        (local.set $xr (i32.add (local.get $x) (i32.shl (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $hp)) (i32.mul (local.get $oy) (local.get $sH)))
                                                                     (local.get $wp)) (local.get $ox)) (i32.const 3))))
        (local.set $e (local.get $be))
        (local.set $d (local.get $bd))
        (local.set $wk (local.get $w))
        (local.set $ky (i32.const 0))
        (block $endky (loop $taprows
          (br_if $endky (i32.ge_s (local.get $ky) (local.get $kH)))
          (local.set $xk (local.get $xr))
          (local.set $kx (i32.const 0))
          (block $endkx (loop $tapcols
            (br_if $endkx (i32.ge_s (local.get $kx) (local.get $kW)))
            (local.set $v (v128.load (local.get $xk)))
            (local.set $e (i32x4.add (local.get $e) (i32x4.dot_i16x8_s (local.get $v) (v128.load offset=0 (local.get $wk)))))
            (local.set $d (i32x4.add (local.get $d) (i32x4.dot_i16x8_s (local.get $v) (v128.load offset=16 (local.get $wk)))))
            (local.set $xk (i32.add (local.get $xk) (local.get $colStep)))
            (local.set $wk (i32.add (local.get $wk) (i32.const 32)))
            (local.set $kx (i32.add (local.get $kx) (i32.const 1)))
            (br $tapcols)))
          (local.set $xr (i32.add (local.get $xr) (local.get $rowStep)))
          (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
          (br $taprows)))
        ;; The pair's sums in channel order: its first pixel's 4, then its second's.
        (local.set $v (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $e) (local.get $d)))
        (local.set $d (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $e) (local.get $d)))
        (if (local.get $table)
          (then
            (local.set $v (call $requantize8 (local.get $v) (local.get $d) (local.get $tb) (local.get $tb)
              (local.get $table) (local.get $offset) (local.get $offset16) (local.get $min) (local.get $max)))
            (local.set $xk (i32.add (local.get $out) (i32.shr_u (i32.sub (local.get $o) (local.get $acc)) (i32.const 2))))
            (v128.store32_lane 0 (local.get $xk) (local.get $v))
            (if (local.get $two) (then (v128.store32_lane 1 (i32.add (local.get $xk) (local.get $outC)) (local.get $v)))))
          (else
            (v128.store (local.get $o) (local.get $v))
            (if (local.get $two) (then (v128.store (i32.add (local.get $o) (local.get $outBytes)) (local.get $d))))))
        (local.set $o (i32.add (local.get $o) (select (i32.shl (local.get $outBytes) (i32.const 1)) (local.get $outBytes) (local.get $two))))
        (local.set $ox (i32.add (local.get $ox) (select (i32.const 2) (i32.const 1) (local.get $two))))
        (br $cols)))
      (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
      (br $rows)))
    (local.set $n (i32.add (local.get $n) (i32.const 1)))
    (br $batch)))
  (i32.ne (local.get $table) (i32.const 0)))

;; TRANSPOSE_CONV int8 as a scatter with output channels across lanes: every
;; input pixel, for every filter tap that lands inside the output, adds its
;; products to that output pixel's sums (reference_integer_ops::TransposeConv's
;; loop order; integer sums wrap alike in any order). x: the input widened
;; with its offset, [batch][inH][inW][cp], channels padded to the even cp;
;; w: packed as convPacked's; acc: outC int32 sums per output pixel, zeroed
;; by the caller, added to.
(func (export "transposeConvPacked") (param $x i32) (param $w i32) (param $acc i32)
  (param $batches i32) (param $inH i32) (param $inW i32) (param $cp i32) (param $outC i32) (param $kH i32) (param $kW i32)
  (param $outH i32) (param $outW i32) (param $sH i32) (param $sW i32) (param $padH i32) (param $padW i32)
  (local $n i32) (local $iy i32) (local $ix i32) (local $ky i32) (local $kx i32) (local $oy i32) (local $ox i32) (local $b i32) (local $q i32)
  (local $pairs i32) (local $tapBytes i32) (local $blockBytes i32) (local $outBytes i32) (local $blocks i32)
  (local $xp i32) (local $xq i32) (local $wp i32) (local $o i32) (local $a0 v128) (local $a1 v128) (local $v v128)
  (local.set $pairs (i32.shr_u (local.get $cp) (i32.const 1)))
  (local.set $tapBytes (i32.shl (local.get $pairs) (i32.const 5)))
  (local.set $blockBytes (i32.mul (i32.mul (local.get $kH) (local.get $kW)) (local.get $tapBytes)))
  (local.set $outBytes (i32.shl (local.get $outC) (i32.const 2)))
  (local.set $blocks (i32.shr_u (i32.add (local.get $outC) (i32.const 7)) (i32.const 3)))
  (local.set $xp (local.get $x))
  (block $endn (loop $batch
    (br_if $endn (i32.ge_s (local.get $n) (local.get $batches)))
    (local.set $iy (i32.const 0))
    (block $endy (loop $rows
      (br_if $endy (i32.ge_s (local.get $iy) (local.get $inH)))
      (local.set $ix (i32.const 0))
      (block $endx (loop $cols
        (br_if $endx (i32.ge_s (local.get $ix) (local.get $inW)))
        (local.set $ky (i32.const 0))
        (block $endky (loop $taprows
          (br_if $endky (i32.ge_s (local.get $ky) (local.get $kH)))
          (local.set $oy (i32.add (i32.sub (i32.mul (local.get $iy) (local.get $sH)) (local.get $padH)) (local.get $ky)))
          (if (i32.and (i32.ge_s (local.get $oy) (i32.const 0)) (i32.lt_s (local.get $oy) (local.get $outH)))
            (then
              (local.set $kx (i32.const 0))
              (block $endkx (loop $tapcols
                (br_if $endkx (i32.ge_s (local.get $kx) (local.get $kW)))
                (local.set $ox (i32.add (i32.sub (i32.mul (local.get $ix) (local.get $sW)) (local.get $padW)) (local.get $kx)))
                (if (i32.and (i32.ge_s (local.get $ox) (i32.const 0)) (i32.lt_s (local.get $ox) (local.get $outW)))
                  (then
                    (local.set $o (i32.add (local.get $acc)
                      (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $outH)) (local.get $oy)) (local.get $outW)) (local.get $ox)) (local.get $outBytes))))
                    (local.set $b (i32.const 0))
                    (block $endb (loop $blockLoop
                      (br_if $endb (i32.ge_s (local.get $b) (local.get $blocks)))
                      (local.set $wp (i32.add (i32.add (local.get $w) (i32.mul (local.get $b) (local.get $blockBytes)))
                                              (i32.mul (i32.add (i32.mul (local.get $ky) (local.get $kW)) (local.get $kx)) (local.get $tapBytes))))
                      (local.set $xq (local.get $xp))
                      (local.set $a0 (v128.const i32x4 0 0 0 0))
                      (local.set $a1 (v128.const i32x4 0 0 0 0))
                      (local.set $q (i32.const 0))
                      (block $endq (loop $pairLoop
                        (br_if $endq (i32.ge_s (local.get $q) (local.get $pairs)))
                        (local.set $v (v128.load32_splat (local.get $xq)))
                        (local.set $a0 (i32x4.add (local.get $a0) (i32x4.dot_i16x8_s (local.get $v) (v128.load offset=0 (local.get $wp)))))
                        (local.set $a1 (i32x4.add (local.get $a1) (i32x4.dot_i16x8_s (local.get $v) (v128.load offset=16 (local.get $wp)))))
                        (local.set $wp (i32.add (local.get $wp) (i32.const 32)))
                        (local.set $xq (i32.add (local.get $xq) (i32.const 4)))
                        (local.set $q (i32.add (local.get $q) (i32.const 1)))
                        (br $pairLoop)))
                      (local.set $wp (i32.add (local.get $o) (i32.shl (local.get $b) (i32.const 5))))
                      (if (i32.ge_s (i32.sub (local.get $outC) (i32.shl (local.get $b) (i32.const 3))) (i32.const 8))
                        (then
                          (v128.store offset=0 (local.get $wp) (i32x4.add (v128.load offset=0 (local.get $wp)) (local.get $a0)))
                          (v128.store offset=16 (local.get $wp) (i32x4.add (v128.load offset=16 (local.get $wp)) (local.get $a1))))
                        (else
                          (call $addSums (local.get $wp) (local.get $a0) (local.get $a1) (i32.sub (local.get $outC) (i32.shl (local.get $b) (i32.const 3))))))
                      (local.set $b (i32.add (local.get $b) (i32.const 1)))
                      (br $blockLoop)))))
                (local.set $kx (i32.add (local.get $kx) (i32.const 1)))
                (br $tapcols)))))
          (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
          (br $taprows)))
        (local.set $xp (i32.add (local.get $xp) (i32.shl (local.get $cp) (i32.const 1))))
        (local.set $ix (i32.add (local.get $ix) (i32.const 1)))
        (br $cols)))
      (local.set $iy (i32.add (local.get $iy) (i32.const 1)))
      (br $rows)))
    (local.set $n (i32.add (local.get $n) (i32.const 1)))
    (br $batch))))

;; Adds the first `valid` (below 8) of a block's 8 sums to out, one lane at a time.
(func $addSums (param $out i32) (param $s0 v128) (param $s1 v128) (param $valid i32)
  (local $i i32)
  (block $end (loop $lanes
    (br_if $end (i32.ge_s (local.get $i) (local.get $valid)))
    (i32.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2)))
      (i32.add (i32.load (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2))))
        (select (call $lane (local.get $s0) (local.get $i)) (call $lane (local.get $s1) (i32.sub (local.get $i) (i32.const 4)))
                (i32.lt_s (local.get $i) (i32.const 4)))))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br $lanes))))

;; Lane i (0..3) of v; 0 for any other i.
(func $lane (param $v v128) (param $i i32) (result i32)
  (if (i32.eq (local.get $i) (i32.const 0)) (then (return (i32x4.extract_lane 0 (local.get $v)))))
  (if (i32.eq (local.get $i) (i32.const 1)) (then (return (i32x4.extract_lane 1 (local.get $v)))))
  (if (i32.eq (local.get $i) (i32.const 2)) (then (return (i32x4.extract_lane 2 (local.get $v)))))
  (if (i32.eq (local.get $i) (i32.const 3)) (then (return (i32x4.extract_lane 3 (local.get $v)))))
  (i32.const 0))
