;; int8 RESIZE_BILINEAR (ResizeBilinearInteger) for resize/kernel.ts: module
;; fields added to kernels.wat's module by test/helpers/assemble-wasm.mjs.
;; Per output pixel, 8 channels at a time in int32 lanes: the four corners
;; weighted by their 10-bit fractions (sum within 128 * 2^20: exact), then
;; the divide by 2^20 rounding half away from zero, truncating like C.
;; axes: per output row then per output column, three i32 each: lower source
;; index, upper source index, 10-bit fraction above the lower one.
(func (export "resizeBilinearI8") (param $x i32) (param $out i32) (param $batches i32) (param $inH i32) (param $inW i32) (param $depth i32)
  (param $outH i32) (param $outW i32) (param $rows i32) (param $cols i32)
  (local $n i32) (local $oy i32) (local $ox i32) (local $c i32) (local $depth8 i32) (local $dy i32) (local $dx i32)
  (local $r0 i32) (local $r1 i32) (local $p00 i32) (local $p10 i32) (local $p01 i32) (local $p11 i32) (local $col i32) (local $row i32)
  (local $w00 i32) (local $w10 i32) (local $w01 i32) (local $w11 i32) (local $v i32)
  (local $v00 v128) (local $v10 v128) (local $v01 v128) (local $v11 v128) (local $lo v128) (local $hi v128)
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
        (local.set $c (i32.const 0))
        (block $endv (loop $vec
          (br_if $endv (i32.ge_s (local.get $c) (local.get $depth8)))
          (local.set $v00 (i16x8.extend_low_i8x16_s (v128.load64_zero (i32.add (local.get $p00) (local.get $c)))))
          (local.set $v10 (i16x8.extend_low_i8x16_s (v128.load64_zero (i32.add (local.get $p10) (local.get $c)))))
          (local.set $v01 (i16x8.extend_low_i8x16_s (v128.load64_zero (i32.add (local.get $p01) (local.get $c)))))
          (local.set $v11 (i16x8.extend_low_i8x16_s (v128.load64_zero (i32.add (local.get $p11) (local.get $c)))))
          (local.set $lo (call $corners
            (i32x4.extend_low_i16x8_s (local.get $v00)) (i32x4.extend_low_i16x8_s (local.get $v10))
            (i32x4.extend_low_i16x8_s (local.get $v01)) (i32x4.extend_low_i16x8_s (local.get $v11))
            (local.get $w00) (local.get $w10) (local.get $w01) (local.get $w11)))
          (local.set $hi (call $corners
            (i32x4.extend_high_i16x8_s (local.get $v00)) (i32x4.extend_high_i16x8_s (local.get $v10))
            (i32x4.extend_high_i16x8_s (local.get $v01)) (i32x4.extend_high_i16x8_s (local.get $v11))
            (local.get $w00) (local.get $w10) (local.get $w01) (local.get $w11)))
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

;; The weighted corners of 4 channels, divided by 2^20 (half away from zero, truncating).
(func $corners (param $a v128) (param $b v128) (param $c v128) (param $d v128) (param $wa i32) (param $wb i32) (param $wc i32) (param $wd i32) (result v128)
  (local $v v128) (local $neg v128)
  (local.set $v (i32x4.add
    (i32x4.add (i32x4.mul (local.get $a) (i32x4.splat (local.get $wa))) (i32x4.mul (local.get $b) (i32x4.splat (local.get $wb))))
    (i32x4.add (i32x4.mul (local.get $c) (i32x4.splat (local.get $wc))) (i32x4.mul (local.get $d) (i32x4.splat (local.get $wd))))))
  ;; v > 0: (v + 2^19) >> 20; else -((2^19 - v) >> 20).
  (local.set $neg (i32x4.le_s (local.get $v) (v128.const i32x4 0 0 0 0)))
  (v128.bitselect
    (i32x4.sub (v128.const i32x4 0 0 0 0) (i32x4.shr_s (i32x4.sub (v128.const i32x4 524288 524288 524288 524288) (local.get $v)) (i32.const 20)))
    (i32x4.shr_s (i32x4.add (local.get $v) (v128.const i32x4 524288 524288 524288 524288)) (i32.const 20))
    (local.get $neg)))

;; resizeBilinearI8's rounding divide for one sum.
(func $roundDiv20 (param $v i32) (result i32)
  (select
    (i32.shr_s (i32.add (local.get $v) (i32.const 524288)) (i32.const 20))
    (i32.sub (i32.const 0) (i32.shr_s (i32.sub (i32.const 524288) (local.get $v)) (i32.const 20)))
    (i32.gt_s (local.get $v) (i32.const 0))))
