;; int8 RESIZE_BILINEAR (ResizeBilinearInteger) for resize/kernel.ts: module
;; fields added to kernels.wat's module by test/helpers/assemble-wasm.mjs.
;; Per output pixel, 8 channels at a time in int32 lanes: the four corners
;; weighted by their 10-bit fractions (sum within 128 * 2^20: exact), each
;; row's two corners with one multiply-add, then the divide by 2^20 rounding
;; half away from zero, truncating like C.
;; axes: per output row then per output column, three i32 each: lower source
;; index, upper source index, 10-bit fraction above the lower one.
(func (export "resizeBilinearI8") (param $x i32) (param $out i32) (param $batches i32) (param $inH i32) (param $inW i32) (param $depth i32)
  (param $outH i32) (param $outW i32) (param $rows i32) (param $cols i32)
  (local $n i32) (local $oy i32) (local $ox i32) (local $c i32) (local $depth8 i32) (local $dy i32) (local $dx i32)
  (local $r0 i32) (local $r1 i32) (local $p00 i32) (local $p10 i32) (local $p01 i32) (local $p11 i32) (local $col i32) (local $row i32)
  (local $w00 i32) (local $w10 i32) (local $w01 i32) (local $w11 i32) (local $v i32)
  (local $v00 v128) (local $v10 v128) (local $v01 v128) (local $v11 v128) (local $lo v128) (local $hi v128)
  (local $hx v128) (local $vy0 v128) (local $vy1 v128)
  (local.set $depth8 (i32.and (local.get $depth) (i32.const -8)))
  (block $endn (loop $batch
    (br_if $endn (i32.ge_s (local.get $n) (local.get $batches)))
    (local.set $oy (i32.const 0))
    (block $endy (loop $ys
      (br_if $endy (i32.ge_s (local.get $oy) (local.get $outH)))
      (local.set $row (i32.add (local.get $rows) (i32.mul (local.get $oy) (i32.const 12))))
      (local.set $r0 (i32.mul (i32.add (i32.mul (local.get $n) (local.get $inH)) (i32.load offset=0 (local.get $row))) (local.get $inW)))
      (local.set $r1 (i32.mul (i32.add (i32.mul (local.get $n) (local.get $inH)) (i32.load offset=4 (local.get $row))) (local.get $inW)))
      (local.set $dy (i32.load offset=8 (local.get $row)))
      (local.set $ox (i32.const 0))
      (block $endx (loop $xs
        (br_if $endx (i32.ge_s (local.get $ox) (local.get $outW)))
        (local.set $col (i32.add (local.get $cols) (i32.mul (local.get $ox) (i32.const 12))))
        (local.set $dx (i32.load offset=8 (local.get $col)))
        (local.set $w00 (i32.mul (i32.sub (i32.const 1024) (local.get $dy)) (i32.sub (i32.const 1024) (local.get $dx))))
        (local.set $w10 (i32.mul (local.get $dy) (i32.sub (i32.const 1024) (local.get $dx))))
        (local.set $w01 (i32.mul (i32.sub (i32.const 1024) (local.get $dy)) (local.get $dx)))
        (local.set $w11 (i32.mul (local.get $dy) (local.get $dx)))
        (local.set $p00 (i32.add (local.get $x) (i32.mul (i32.add (local.get $r0) (i32.load offset=0 (local.get $col))) (local.get $depth))))
        (local.set $p10 (i32.add (local.get $x) (i32.mul (i32.add (local.get $r1) (i32.load offset=0 (local.get $col))) (local.get $depth))))
        (local.set $p01 (i32.add (local.get $x) (i32.mul (i32.add (local.get $r0) (i32.load offset=4 (local.get $col))) (local.get $depth))))
        (local.set $p11 (i32.add (local.get $x) (i32.mul (i32.add (local.get $r1) (i32.load offset=4 (local.get $col))) (local.get $depth))))
        ;; The sum is (1024 - dy) * ((1024 - dx) * v00 + dx * v01) + dy * ((1024 - dx) * v10 + dx * v11), the same
        ;; integers: each row's pair is one multiply-add of (left, right) lanes against (1024 - dx, dx).
        (local.set $hx (i32x4.splat (i32.or (i32.sub (i32.const 1024) (local.get $dx)) (i32.shl (local.get $dx) (i32.const 16)))))
        (local.set $vy0 (i32x4.splat (i32.sub (i32.const 1024) (local.get $dy))))
        (local.set $vy1 (i32x4.splat (local.get $dy)))
        (local.set $c (i32.const 0))
        (block $endv (loop $vec
          (br_if $endv (i32.ge_s (local.get $c) (local.get $depth8)))
          (local.set $v00 (v128.load8x8_s (i32.add (local.get $p00) (local.get $c))))
          (local.set $v01 (v128.load8x8_s (i32.add (local.get $p01) (local.get $c))))
          (local.set $v10 (v128.load8x8_s (i32.add (local.get $p10) (local.get $c))))
          (local.set $v11 (v128.load8x8_s (i32.add (local.get $p11) (local.get $c))))
          (local.set $lo (i32x4.add
            (i32x4.mul (i32x4.dot_i16x8_s (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $v00) (local.get $v01)) (local.get $hx)) (local.get $vy0))
            (i32x4.mul (i32x4.dot_i16x8_s (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $v10) (local.get $v11)) (local.get $hx)) (local.get $vy1))))
          (local.set $hi (i32x4.add
            (i32x4.mul (i32x4.dot_i16x8_s (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $v00) (local.get $v01)) (local.get $hx)) (local.get $vy0))
            (i32x4.mul (i32x4.dot_i16x8_s (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $v10) (local.get $v11)) (local.get $hx)) (local.get $vy1))))
          ;; Divided by 2^20, rounding half away from zero (C's truncating division): sign(v) * ((|v| + 2^19) >> 20).
          (local.set $v00 (i32x4.shr_s (local.get $lo) (i32.const 31)))
          (local.set $lo (i32x4.sub (v128.xor (i32x4.shr_u (i32x4.add (i32x4.abs (local.get $lo)) (v128.const i32x4 524288 524288 524288 524288)) (i32.const 20))
            (local.get $v00)) (local.get $v00)))
          (local.set $v01 (i32x4.shr_s (local.get $hi) (i32.const 31)))
          (local.set $hi (i32x4.sub (v128.xor (i32x4.shr_u (i32x4.add (i32x4.abs (local.get $hi)) (v128.const i32x4 524288 524288 524288 524288)) (i32.const 20))
            (local.get $v01)) (local.get $v01)))
          ;; Interpolated int8 values: the saturating narrows change nothing.
          (v128.store64_lane 0 (local.get $out)
            (i8x16.narrow_i16x8_s (i16x8.narrow_i32x4_s (local.get $lo) (local.get $hi)) (local.get $lo)))
          (local.set $out (i32.add (local.get $out) (i32.const 8)))
          (local.set $c (i32.add (local.get $c) (i32.const 8)))
          (br $vec)))
        (block $endt (loop $tail
          (br_if $endt (i32.ge_s (local.get $c) (local.get $depth)))
          (local.set $v (i32.add (i32.add
            (i32.mul (i32.load8_s (i32.add (local.get $p00) (local.get $c))) (local.get $w00))
            (i32.mul (i32.load8_s (i32.add (local.get $p10) (local.get $c))) (local.get $w10)))
            (i32.add
            (i32.mul (i32.load8_s (i32.add (local.get $p01) (local.get $c))) (local.get $w01))
            (i32.mul (i32.load8_s (i32.add (local.get $p11) (local.get $c))) (local.get $w11)))))
          (i32.store8 (local.get $out) (call $roundDiv20 (local.get $v)))
          (local.set $out (i32.add (local.get $out) (i32.const 1)))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $tail)))
        (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
        (br $xs)))
      (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
      (br $ys)))
    (local.set $n (i32.add (local.get $n) (i32.const 1)))
    (br $batch))))

;; resizeBilinearI8's rounding divide for one sum.
(func $roundDiv20 (param $v i32) (result i32)
  (select
    (i32.shr_s (i32.add (local.get $v) (i32.const 524288)) (i32.const 20))
    (i32.sub (i32.const 0) (i32.shr_s (i32.sub (i32.const 524288) (local.get $v)) (i32.const 20)))
    (i32.gt_s (local.get $v) (i32.const 0))))

;; float32 RESIZE_BILINEAR (reference_ops::ResizeBilinear) for resize/kernel.ts,
;; 4 channels per step and the rest one by one, each value as the C expression
;; computes it, left to right with every product and sum rounded to float:
;; (((v00 ry rx + v10 dy rx) + v01 ry dx) + v11 dy dx) + 0, ry = 1 - dy,
;; rx = 1 - dx (the + 0 turns a -0 into +0, as C's does). axes: as for
;; resizeBilinearI8, with the fraction above the lower index a float32.
(func (export "resizeBilinearF32") (param $x i32) (param $out i32) (param $batches i32) (param $inH i32) (param $inW i32) (param $depth i32)
  (param $outH i32) (param $outW i32) (param $rows i32) (param $cols i32)
  (local $n i32) (local $oy i32) (local $ox i32) (local $c i32) (local $depth4 i32) (local $row i32) (local $col i32) (local $r0 i32) (local $r1 i32)
  (local $p00 i32) (local $p10 i32) (local $p01 i32) (local $p11 i32)
  (local $dy f32) (local $ry f32) (local $dx f32) (local $rx f32)
  (local $vdy v128) (local $vry v128) (local $vdx v128) (local $vrx v128)
  (local.set $depth4 (i32.and (local.get $depth) (i32.const -4)))
  (block $endn (loop $batch
    (br_if $endn (i32.ge_s (local.get $n) (local.get $batches)))
    (local.set $oy (i32.const 0))
    (block $endy (loop $ys
      (br_if $endy (i32.ge_s (local.get $oy) (local.get $outH)))
      (local.set $row (i32.add (local.get $rows) (i32.mul (local.get $oy) (i32.const 12))))
      (local.set $r0 (i32.mul (i32.add (i32.mul (local.get $n) (local.get $inH)) (i32.load offset=0 (local.get $row))) (local.get $inW)))
      (local.set $r1 (i32.mul (i32.add (i32.mul (local.get $n) (local.get $inH)) (i32.load offset=4 (local.get $row))) (local.get $inW)))
      (local.set $dy (f32.load offset=8 (local.get $row)))
      (local.set $ry (f32.sub (f32.const 1) (local.get $dy)))
      (local.set $vdy (f32x4.splat (local.get $dy)))
      (local.set $vry (f32x4.splat (local.get $ry)))
      (local.set $ox (i32.const 0))
      (block $endx (loop $xs
        (br_if $endx (i32.ge_s (local.get $ox) (local.get $outW)))
        (local.set $col (i32.add (local.get $cols) (i32.mul (local.get $ox) (i32.const 12))))
        (local.set $dx (f32.load offset=8 (local.get $col)))
        (local.set $rx (f32.sub (f32.const 1) (local.get $dx)))
        (local.set $vdx (f32x4.splat (local.get $dx)))
        (local.set $vrx (f32x4.splat (local.get $rx)))
        (local.set $p00 (i32.add (local.get $x) (i32.shl (i32.mul (i32.add (local.get $r0) (i32.load offset=0 (local.get $col))) (local.get $depth)) (i32.const 2))))
        (local.set $p10 (i32.add (local.get $x) (i32.shl (i32.mul (i32.add (local.get $r1) (i32.load offset=0 (local.get $col))) (local.get $depth)) (i32.const 2))))
        (local.set $p01 (i32.add (local.get $x) (i32.shl (i32.mul (i32.add (local.get $r0) (i32.load offset=4 (local.get $col))) (local.get $depth)) (i32.const 2))))
        (local.set $p11 (i32.add (local.get $x) (i32.shl (i32.mul (i32.add (local.get $r1) (i32.load offset=4 (local.get $col))) (local.get $depth)) (i32.const 2))))
        (local.set $c (i32.const 0))
        (block $endv (loop $vec
          (br_if $endv (i32.ge_s (local.get $c) (local.get $depth4)))
          (v128.store (local.get $out) (f32x4.add (f32x4.add (f32x4.add (f32x4.add
            (f32x4.mul (f32x4.mul (v128.load (i32.add (local.get $p00) (i32.shl (local.get $c) (i32.const 2)))) (local.get $vry)) (local.get $vrx))
            (f32x4.mul (f32x4.mul (v128.load (i32.add (local.get $p10) (i32.shl (local.get $c) (i32.const 2)))) (local.get $vdy)) (local.get $vrx)))
            (f32x4.mul (f32x4.mul (v128.load (i32.add (local.get $p01) (i32.shl (local.get $c) (i32.const 2)))) (local.get $vry)) (local.get $vdx)))
            (f32x4.mul (f32x4.mul (v128.load (i32.add (local.get $p11) (i32.shl (local.get $c) (i32.const 2)))) (local.get $vdy)) (local.get $vdx)))
            (v128.const f32x4 0 0 0 0)))
          (local.set $out (i32.add (local.get $out) (i32.const 16)))
          (local.set $c (i32.add (local.get $c) (i32.const 4)))
          (br $vec)))
        (block $endt (loop $tail
          (br_if $endt (i32.ge_s (local.get $c) (local.get $depth)))
          (f32.store (local.get $out) (f32.add (f32.add (f32.add (f32.add
            (f32.mul (f32.mul (f32.load (i32.add (local.get $p00) (i32.shl (local.get $c) (i32.const 2)))) (local.get $ry)) (local.get $rx))
            (f32.mul (f32.mul (f32.load (i32.add (local.get $p10) (i32.shl (local.get $c) (i32.const 2)))) (local.get $dy)) (local.get $rx)))
            (f32.mul (f32.mul (f32.load (i32.add (local.get $p01) (i32.shl (local.get $c) (i32.const 2)))) (local.get $ry)) (local.get $dx)))
            (f32.mul (f32.mul (f32.load (i32.add (local.get $p11) (i32.shl (local.get $c) (i32.const 2)))) (local.get $dy)) (local.get $dx)))
            (f32.const 0)))
          (local.set $out (i32.add (local.get $out) (i32.const 4)))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $tail)))
        (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
        (br $xs)))
      (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
      (br $ys)))
    (local.set $n (i32.add (local.get $n) (i32.const 1)))
    (br $batch))))

;; resizeBilinearI8 where int16 sums are exact (resize/kernel.ts
;; int16Axes: every fraction a multiple of 2^k), 16 channels at a time in
;; int16 lanes, each weight (2^10 - f) >> k or f >> k: the sum is the int32
;; one over 2^2k, so dividing by 2^sh (sh = 20 - 2k) rounds as the divide by
;; 2^20 does. Each row's two corners are weighted first, then the two rows
;; (the same integers). rows: per output row 4 i32: lower and upper source
;; row, their weights; cols: per output column 48 bytes: the lower and upper
;; column's weights as i16x8 splats, then their source columns times depth
;; (i32), 8 bytes unused.
(func (export "resizeBilinearI8Int16") (param $x i32) (param $out i32) (param $batches i32) (param $inH i32) (param $inW i32) (param $depth i32)
  (param $outH i32) (param $outW i32) (param $rows i32) (param $cols i32) (param $sh i32)
  (local $n i32) (local $oy i32) (local $ox i32) (local $c i32) (local $row i32) (local $col i32) (local $rowBytes i32)
  (local $r0 i32) (local $r1 i32) (local $p00 i32) (local $p01 i32) (local $p10 i32) (local $p11 i32) (local $v i32)
  (local $depth16 i32) (local $depth8 i32) (local $h i32)
  (local $half v128) (local $wy0 v128) (local $wy1 v128) (local $wx0 v128) (local $wx1 v128)
  (local $a v128) (local $b v128) (local $d v128) (local $e v128)
  (local.set $depth16 (i32.and (local.get $depth) (i32.const -16)))
  (local.set $depth8 (i32.and (local.get $depth) (i32.const -8)))
  (local.set $h (i32.shr_u (i32.shl (i32.const 1) (local.get $sh)) (i32.const 1)))
  (local.set $half (i16x8.splat (local.get $h)))
  (local.set $rowBytes (i32.mul (local.get $inW) (local.get $depth)))
  (block $endn (loop $batch
    (br_if $endn (i32.ge_s (local.get $n) (local.get $batches)))
    (local.set $oy (i32.const 0))
    (block $endy (loop $ys
      (br_if $endy (i32.ge_s (local.get $oy) (local.get $outH)))
      (local.set $row (i32.add (local.get $rows) (i32.shl (local.get $oy) (i32.const 4))))
      (local.set $r0 (i32.add (local.get $x) (i32.mul (i32.add (i32.mul (local.get $n) (local.get $inH)) (i32.load offset=0 (local.get $row))) (local.get $rowBytes))))
      (local.set $r1 (i32.add (local.get $x) (i32.mul (i32.add (i32.mul (local.get $n) (local.get $inH)) (i32.load offset=4 (local.get $row))) (local.get $rowBytes))))
      (local.set $wy0 (i16x8.splat (i32.load offset=8 (local.get $row))))
      (local.set $wy1 (i16x8.splat (i32.load offset=12 (local.get $row))))
      (local.set $ox (i32.const 0))
      (block $endx (loop $xs
        (br_if $endx (i32.ge_s (local.get $ox) (local.get $outW)))
        (local.set $col (i32.add (local.get $cols) (i32.mul (local.get $ox) (i32.const 48))))
        (local.set $wx0 (v128.load offset=0 (local.get $col)))
        (local.set $wx1 (v128.load offset=16 (local.get $col)))
        (local.set $p00 (i32.add (local.get $r0) (i32.load offset=32 (local.get $col))))
        (local.set $p01 (i32.add (local.get $r0) (i32.load offset=36 (local.get $col))))
        (local.set $p10 (i32.add (local.get $r1) (i32.load offset=32 (local.get $col))))
        (local.set $p11 (i32.add (local.get $r1) (i32.load offset=36 (local.get $col))))
        (local.set $c (i32.const 0))
        (block $end16 (loop $vec16
          (br_if $end16 (i32.ge_s (local.get $c) (local.get $depth16)))
          (local.set $a (v128.load (i32.add (local.get $p00) (local.get $c))))
          (local.set $b (v128.load (i32.add (local.get $p01) (local.get $c))))
          (local.set $d (v128.load (i32.add (local.get $p10) (local.get $c))))
          (local.set $e (v128.load (i32.add (local.get $p11) (local.get $c))))
          (v128.store (local.get $out) (i8x16.narrow_i16x8_s
            (call $bilinearI16
              (i16x8.extend_low_i8x16_s (local.get $a)) (i16x8.extend_low_i8x16_s (local.get $b))
              (i16x8.extend_low_i8x16_s (local.get $d)) (i16x8.extend_low_i8x16_s (local.get $e))
              (local.get $wx0) (local.get $wx1) (local.get $wy0) (local.get $wy1) (local.get $half) (local.get $sh))
            (call $bilinearI16
              (i16x8.extend_high_i8x16_s (local.get $a)) (i16x8.extend_high_i8x16_s (local.get $b))
              (i16x8.extend_high_i8x16_s (local.get $d)) (i16x8.extend_high_i8x16_s (local.get $e))
              (local.get $wx0) (local.get $wx1) (local.get $wy0) (local.get $wy1) (local.get $half) (local.get $sh))))
          (local.set $out (i32.add (local.get $out) (i32.const 16)))
          (local.set $c (i32.add (local.get $c) (i32.const 16)))
          (br $vec16)))
        (if (i32.lt_s (local.get $c) (local.get $depth8))
          (then
            (local.set $a (call $bilinearI16
              (v128.load8x8_s (i32.add (local.get $p00) (local.get $c))) (v128.load8x8_s (i32.add (local.get $p01) (local.get $c)))
              (v128.load8x8_s (i32.add (local.get $p10) (local.get $c))) (v128.load8x8_s (i32.add (local.get $p11) (local.get $c)))
              (local.get $wx0) (local.get $wx1) (local.get $wy0) (local.get $wy1) (local.get $half) (local.get $sh)))
            (v128.store64_lane 0 (local.get $out) (i8x16.narrow_i16x8_s (local.get $a) (local.get $a)))
            (local.set $out (i32.add (local.get $out) (i32.const 8)))
            (local.set $c (i32.add (local.get $c) (i32.const 8)))))
        ;; The last channels one by one, the same integers in int32.
        (block $endt (loop $tail
          (br_if $endt (i32.ge_s (local.get $c) (local.get $depth)))
          (local.set $v (i32.add
            (i32.mul (i32.load offset=8 (local.get $row)) (i32.add
              (i32.mul (i32.load8_s (i32.add (local.get $p00) (local.get $c))) (i32.load16_s offset=0 (local.get $col)))
              (i32.mul (i32.load8_s (i32.add (local.get $p01) (local.get $c))) (i32.load16_s offset=16 (local.get $col)))))
            (i32.mul (i32.load offset=12 (local.get $row)) (i32.add
              (i32.mul (i32.load8_s (i32.add (local.get $p10) (local.get $c))) (i32.load16_s offset=0 (local.get $col)))
              (i32.mul (i32.load8_s (i32.add (local.get $p11) (local.get $c))) (i32.load16_s offset=16 (local.get $col)))))))
          (i32.store8 (local.get $out)
            (i32.shr_s (i32.add (i32.add (local.get $v) (local.get $h)) (i32.shr_s (local.get $v) (i32.const 31))) (local.get $sh)))
          (local.set $out (i32.add (local.get $out) (i32.const 1)))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $tail)))
        (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
        (br $xs)))
      (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
      (br $ys)))
    (local.set $n (i32.add (local.get $n) (i32.const 1)))
    (br $batch))))

;; resizeBilinearI8Int16's 8 lanes: the corners a, b (upper row) and d, e
;; (lower row), weighted, then divided by 2^sh rounding half away from zero:
;; (s + half - (s < 0)) >> sh.
(func $bilinearI16 (param $a v128) (param $b v128) (param $d v128) (param $e v128)
  (param $wx0 v128) (param $wx1 v128) (param $wy0 v128) (param $wy1 v128) (param $half v128) (param $sh i32) (result v128)
  (local $s v128)
  (local.set $s (i16x8.add
    (i16x8.mul (local.get $wy0) (i16x8.add (i16x8.mul (local.get $a) (local.get $wx0)) (i16x8.mul (local.get $b) (local.get $wx1))))
    (i16x8.mul (local.get $wy1) (i16x8.add (i16x8.mul (local.get $d) (local.get $wx0)) (i16x8.mul (local.get $e) (local.get $wx1))))))
  (i16x8.shr_s (i16x8.add (i16x8.add (local.get $s) (local.get $half)) (i16x8.shr_s (local.get $s) (i32.const 15))) (local.get $sh)))
