;; SIMD inner loops of the interpreter's conv-family kernels. Every function
;; takes byte addresses into the one exported memory; the summing ones add
;; into `acc` and never clear it, so callers decide where sums start.
;;
;; Exactness, which the oracle tests hold against real TFLM:
;; - Integer sums (i16 x i16 -> i32) wrap like TFLM's int32 accumulators and do
;;   not depend on their order, so vector lanes may add in any order.
;; - float32 functions keep TFLM's order per output: each lane is one output
;;   channel, and its products are added one at a time in the order the
;;   caller's memory gives them (f32.mul then f32.add, no fused multiply-add),
;;   which is the reference kernels' order when the caller lays data out so.

(module
  (memory (export "memory") 1)

  ;; acc[j] += sum_{c < len} x[c] * w[j * wStride + c] for j < n.
  ;; x, w: i16; acc: i32; wStride counts elements.
  (func (export "dotRows") (param $x i32) (param $w i32) (param $wStride i32) (param $n i32) (param $len i32) (param $acc i32)
    (call $dotWindow (local.get $x) (i32.const 0) (local.get $w) (i32.const 0) (local.get $wStride) (local.get $n) (i32.const 1) (local.get $len) (local.get $acc)))

  ;; acc[j] += sum_{r < rows} sum_{c < len} x[r * xStep + c] * w[j * wStride + r * wStep + c]
  ;; for j < n: the filter rows of one conv output pixel in one call. x, w: i16;
  ;; acc: i32; steps and wStride count elements. Four output rows share each
  ;; x load, and each keeps its vector sums across the rows.
  (func $dotWindow (param $x i32) (param $xStep i32) (param $w i32) (param $wStep i32) (param $wStride i32) (param $n i32) (param $rows i32) (param $len i32) (param $acc i32)
    (local $j i32) (local $r i32) (local $c i32) (local $o i32) (local $len8 i32) (local $rs i32) (local $xr i32) (local $wr i32)
    (local $w0 i32) (local $w1 i32) (local $w2 i32) (local $w3 i32)
    (local $xv v128) (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local $t0 i32) (local $t1 i32) (local $t2 i32) (local $t3 i32) (local $xs i32)
    (local.set $rs (i32.shl (local.get $wStride) (i32.const 1)))
    (local.set $xStep (i32.shl (local.get $xStep) (i32.const 1)))
    (local.set $wStep (i32.shl (local.get $wStep) (i32.const 1)))
    (local.set $len8 (i32.and (local.get $len) (i32.const -8)))
    (block $end4 (loop $rows4
      (br_if $end4 (i32.gt_s (i32.add (local.get $j) (i32.const 4)) (local.get $n)))
      (local.set $s0 (v128.const i32x4 0 0 0 0))
      (local.set $s1 (v128.const i32x4 0 0 0 0))
      (local.set $s2 (v128.const i32x4 0 0 0 0))
      (local.set $s3 (v128.const i32x4 0 0 0 0))
      (local.set $t0 (i32.const 0))
      (local.set $t1 (i32.const 0))
      (local.set $t2 (i32.const 0))
      (local.set $t3 (i32.const 0))
      (local.set $xr (local.get $x))
      (local.set $wr (i32.add (local.get $w) (i32.mul (local.get $j) (local.get $rs))))
      (local.set $r (i32.const 0))
      (block $endr (loop $window
        (br_if $endr (i32.ge_s (local.get $r) (local.get $rows)))
        (local.set $w0 (local.get $wr))
        (local.set $w1 (i32.add (local.get $w0) (local.get $rs)))
        (local.set $w2 (i32.add (local.get $w1) (local.get $rs)))
        (local.set $w3 (i32.add (local.get $w2) (local.get $rs)))
        (local.set $c (i32.const 0))
        (block $endv (loop $vec
          (br_if $endv (i32.ge_s (local.get $c) (local.get $len8)))
          (local.set $o (i32.shl (local.get $c) (i32.const 1)))
          (local.set $xv (v128.load (i32.add (local.get $xr) (local.get $o))))
          (local.set $s0 (i32x4.add (local.get $s0) (i32x4.dot_i16x8_s (local.get $xv) (v128.load (i32.add (local.get $w0) (local.get $o))))))
          (local.set $s1 (i32x4.add (local.get $s1) (i32x4.dot_i16x8_s (local.get $xv) (v128.load (i32.add (local.get $w1) (local.get $o))))))
          (local.set $s2 (i32x4.add (local.get $s2) (i32x4.dot_i16x8_s (local.get $xv) (v128.load (i32.add (local.get $w2) (local.get $o))))))
          (local.set $s3 (i32x4.add (local.get $s3) (i32x4.dot_i16x8_s (local.get $xv) (v128.load (i32.add (local.get $w3) (local.get $o))))))
          (local.set $c (i32.add (local.get $c) (i32.const 8)))
          (br $vec)))
        (block $endt (loop $tail
          (br_if $endt (i32.ge_s (local.get $c) (local.get $len)))
          (local.set $o (i32.shl (local.get $c) (i32.const 1)))
          (local.set $xs (i32.load16_s (i32.add (local.get $xr) (local.get $o))))
          (local.set $t0 (i32.add (local.get $t0) (i32.mul (local.get $xs) (i32.load16_s (i32.add (local.get $w0) (local.get $o))))))
          (local.set $t1 (i32.add (local.get $t1) (i32.mul (local.get $xs) (i32.load16_s (i32.add (local.get $w1) (local.get $o))))))
          (local.set $t2 (i32.add (local.get $t2) (i32.mul (local.get $xs) (i32.load16_s (i32.add (local.get $w2) (local.get $o))))))
          (local.set $t3 (i32.add (local.get $t3) (i32.mul (local.get $xs) (i32.load16_s (i32.add (local.get $w3) (local.get $o))))))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $tail)))
        (local.set $xr (i32.add (local.get $xr) (local.get $xStep)))
        (local.set $wr (i32.add (local.get $wr) (local.get $wStep)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $window)))
      (local.set $o (i32.add (local.get $acc) (i32.shl (local.get $j) (i32.const 2))))
      (i32.store offset=0 (local.get $o) (i32.add (i32.load offset=0 (local.get $o)) (i32.add (local.get $t0) (call $hsum (local.get $s0)))))
      (i32.store offset=4 (local.get $o) (i32.add (i32.load offset=4 (local.get $o)) (i32.add (local.get $t1) (call $hsum (local.get $s1)))))
      (i32.store offset=8 (local.get $o) (i32.add (i32.load offset=8 (local.get $o)) (i32.add (local.get $t2) (call $hsum (local.get $s2)))))
      (i32.store offset=12 (local.get $o) (i32.add (i32.load offset=12 (local.get $o)) (i32.add (local.get $t3) (call $hsum (local.get $s3)))))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br $rows4)))
    (block $end1 (loop $rows1
      (br_if $end1 (i32.ge_s (local.get $j) (local.get $n)))
      (local.set $s0 (v128.const i32x4 0 0 0 0))
      (local.set $t0 (i32.const 0))
      (local.set $xr (local.get $x))
      (local.set $wr (i32.add (local.get $w) (i32.mul (local.get $j) (local.get $rs))))
      (local.set $r (i32.const 0))
      (block $endr1 (loop $window1
        (br_if $endr1 (i32.ge_s (local.get $r) (local.get $rows)))
        (local.set $c (i32.const 0))
        (block $endv1 (loop $vec1
          (br_if $endv1 (i32.ge_s (local.get $c) (local.get $len8)))
          (local.set $o (i32.shl (local.get $c) (i32.const 1)))
          (local.set $s0 (i32x4.add (local.get $s0) (i32x4.dot_i16x8_s (v128.load (i32.add (local.get $xr) (local.get $o))) (v128.load (i32.add (local.get $wr) (local.get $o))))))
          (local.set $c (i32.add (local.get $c) (i32.const 8)))
          (br $vec1)))
        (block $endt1 (loop $tail1
          (br_if $endt1 (i32.ge_s (local.get $c) (local.get $len)))
          (local.set $o (i32.shl (local.get $c) (i32.const 1)))
          (local.set $t0 (i32.add (local.get $t0) (i32.mul (i32.load16_s (i32.add (local.get $xr) (local.get $o))) (i32.load16_s (i32.add (local.get $wr) (local.get $o))))))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $tail1)))
        (local.set $xr (i32.add (local.get $xr) (local.get $xStep)))
        (local.set $wr (i32.add (local.get $wr) (local.get $wStep)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $window1)))
      (local.set $o (i32.add (local.get $acc) (i32.shl (local.get $j) (i32.const 2))))
      (i32.store (local.get $o) (i32.add (i32.load (local.get $o)) (i32.add (local.get $t0) (call $hsum (local.get $s0)))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $rows1))))

  (func $hsum (param $v v128) (result i32)
    (i32.add
      (i32.add (i32x4.extract_lane 0 (local.get $v)) (i32x4.extract_lane 1 (local.get $v)))
      (i32.add (i32x4.extract_lane 2 (local.get $v)) (i32x4.extract_lane 3 (local.get $v)))))

  ;; acc[i] += x[i] * w[i] for i < n; x, w: i16; acc: i32 (depthwise taps, one channel per lane).
  (func $mulAddI16 (export "mulAddI16") (param $x i32) (param $w i32) (param $n i32) (param $acc i32)
    (local $i i32) (local $n8 i32) (local $xv v128) (local $wv v128) (local $a i32)
    (local.set $n8 (i32.and (local.get $n) (i32.const -8)))
    (block $endv (loop $vec
      (br_if $endv (i32.ge_s (local.get $i) (local.get $n8)))
      (local.set $xv (v128.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 1)))))
      (local.set $wv (v128.load (i32.add (local.get $w) (i32.shl (local.get $i) (i32.const 1)))))
      (local.set $a (i32.add (local.get $acc) (i32.shl (local.get $i) (i32.const 2))))
      (v128.store offset=0 (local.get $a) (i32x4.add (v128.load offset=0 (local.get $a)) (i32x4.extmul_low_i16x8_s (local.get $xv) (local.get $wv))))
      (v128.store offset=16 (local.get $a) (i32x4.add (v128.load offset=16 (local.get $a)) (i32x4.extmul_high_i16x8_s (local.get $xv) (local.get $wv))))
      (local.set $i (i32.add (local.get $i) (i32.const 8)))
      (br $vec)))
    (block $endt (loop $tail
      (br_if $endt (i32.ge_s (local.get $i) (local.get $n)))
      (local.set $a (i32.add (local.get $acc) (i32.shl (local.get $i) (i32.const 2))))
      (i32.store (local.get $a) (i32.add (i32.load (local.get $a))
        (i32.mul (i32.load16_s (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 1))))
                 (i32.load16_s (i32.add (local.get $w) (i32.shl (local.get $i) (i32.const 1)))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $tail))))

  ;; acc[i] = acc[i] + x[i] * w[i] for i < n, in float32 (depthwise taps).
  (func $mulAddF32 (export "mulAddF32") (param $x i32) (param $w i32) (param $n i32) (param $acc i32)
    (local $i i32) (local $n4 i32) (local $o i32) (local $a i32)
    (local.set $n4 (i32.and (local.get $n) (i32.const -4)))
    (block $endv (loop $vec
      (br_if $endv (i32.ge_s (local.get $i) (local.get $n4)))
      (local.set $o (i32.shl (local.get $i) (i32.const 2)))
      (local.set $a (i32.add (local.get $acc) (local.get $o)))
      (v128.store (local.get $a) (f32x4.add (v128.load (local.get $a))
        (f32x4.mul (v128.load (i32.add (local.get $x) (local.get $o))) (v128.load (i32.add (local.get $w) (local.get $o))))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $vec)))
    (block $endt (loop $tail
      (br_if $endt (i32.ge_s (local.get $i) (local.get $n)))
      (local.set $o (i32.shl (local.get $i) (i32.const 2)))
      (local.set $a (i32.add (local.get $acc) (local.get $o)))
      (f32.store (local.get $a) (f32.add (f32.load (local.get $a))
        (f32.mul (f32.load (i32.add (local.get $x) (local.get $o))) (f32.load (i32.add (local.get $w) (local.get $o))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $tail))))

  ;; For c < len in order: acc[j] = acc[j] + x[c] * w[c * n + j] for j < n, in
  ;; float32. With w laid out [tap][channel][output channel] this is the
  ;; reference conv's order for every output channel at once. The sums of 8
  ;; output channels (then 4, then 1) stay in registers over every c, where a
  ;; load and store of each sum per c made every step wait for the one before.
  (func $outerAddF32 (export "outerAddF32") (param $x i32) (param $w i32) (param $len i32) (param $n i32) (param $acc i32)
    (local $c i32) (local $j i32) (local $a i32) (local $wp i32) (local $xp i32) (local $rowBytes i32) (local $width i32)
    (local $a0 v128) (local $a1 v128) (local $xv v128) (local $s f32)
    (local.set $rowBytes (i32.shl (local.get $n) (i32.const 2)))
    (block $endj (loop $blocks
      (local.set $width (i32.sub (local.get $n) (local.get $j)))
      (br_if $endj (i32.le_s (local.get $width) (i32.const 0)))
      (local.set $a (i32.add (local.get $acc) (i32.shl (local.get $j) (i32.const 2))))
      (local.set $wp (i32.add (local.get $w) (i32.shl (local.get $j) (i32.const 2))))
      (local.set $xp (local.get $x))
      (local.set $c (i32.const 0))
      (if (i32.ge_s (local.get $width) (i32.const 8))
        (then
          (local.set $a0 (v128.load offset=0 (local.get $a)))
          (local.set $a1 (v128.load offset=16 (local.get $a)))
          (block $end8 (loop $cols8
            (br_if $end8 (i32.ge_s (local.get $c) (local.get $len)))
            (local.set $xv (v128.load32_splat (local.get $xp)))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $xv) (v128.load offset=0 (local.get $wp)))))
            (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $xv) (v128.load offset=16 (local.get $wp)))))
            (local.set $wp (i32.add (local.get $wp) (local.get $rowBytes)))
            (local.set $xp (i32.add (local.get $xp) (i32.const 4)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $cols8)))
          (v128.store offset=0 (local.get $a) (local.get $a0))
          (v128.store offset=16 (local.get $a) (local.get $a1))
          (local.set $j (i32.add (local.get $j) (i32.const 8))))
        (else
          (if (i32.ge_s (local.get $width) (i32.const 4))
            (then
              (local.set $a0 (v128.load (local.get $a)))
              (block $end4 (loop $cols4
                (br_if $end4 (i32.ge_s (local.get $c) (local.get $len)))
                (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load32_splat (local.get $xp)) (v128.load (local.get $wp)))))
                (local.set $wp (i32.add (local.get $wp) (local.get $rowBytes)))
                (local.set $xp (i32.add (local.get $xp) (i32.const 4)))
                (local.set $c (i32.add (local.get $c) (i32.const 1)))
                (br $cols4)))
              (v128.store (local.get $a) (local.get $a0))
              (local.set $j (i32.add (local.get $j) (i32.const 4))))
            (else
              (local.set $s (f32.load (local.get $a)))
              (block $end1 (loop $cols1
                (br_if $end1 (i32.ge_s (local.get $c) (local.get $len)))
                (local.set $s (f32.add (local.get $s) (f32.mul (f32.load (local.get $xp)) (f32.load (local.get $wp)))))
                (local.set $wp (i32.add (local.get $wp) (local.get $rowBytes)))
                (local.set $xp (i32.add (local.get $xp) (i32.const 4)))
                (local.set $c (i32.add (local.get $c) (i32.const 1)))
                (br $cols1)))
              (f32.store (local.get $a) (local.get $s))
              (local.set $j (i32.add (local.get $j) (i32.const 1)))))))
      (br $blocks))))

  ;; float32 TRANSPOSE_CONV as reference_ops::TransposeConv orders it: every
  ;; input pixel (batch, row, column), every filter tap (row, column) that lands
  ;; inside the output, outerAddF32 of its input channels into that output
  ;; pixel's sums (w as [tap][input channel][output channel]). One call for
  ;; the operator where a call per pixel and tap cost more than its arithmetic.
  (func (export "transposeConvF32") (param $x i32) (param $w i32) (param $acc i32)
    (param $batches i32) (param $inH i32) (param $inW i32) (param $inC i32) (param $outC i32) (param $kH i32) (param $kW i32)
    (param $outH i32) (param $outW i32) (param $sH i32) (param $sW i32) (param $padH i32) (param $padW i32)
    (local $n i32) (local $iy i32) (local $ix i32) (local $ky i32) (local $kx i32) (local $oy i32) (local $ox i32) (local $xp i32) (local $tapBytes i32)
    (local.set $tapBytes (i32.shl (i32.mul (local.get $inC) (local.get $outC)) (i32.const 2)))
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
                      (call $outerAddF32 (local.get $xp)
                        (i32.add (local.get $w) (i32.mul (i32.add (i32.mul (local.get $ky) (local.get $kW)) (local.get $kx)) (local.get $tapBytes)))
                        (local.get $inC) (local.get $outC)
                        (i32.add (local.get $acc) (i32.shl (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $outH)) (local.get $oy))
                          (local.get $outW)) (local.get $ox)) (local.get $outC)) (i32.const 2))))))
                  (local.set $kx (i32.add (local.get $kx) (i32.const 1)))
                  (br $tapcols)))))
            (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
            (br $taprows)))
          (local.set $xp (i32.add (local.get $xp) (i32.shl (local.get $inC) (i32.const 2))))
          (local.set $ix (i32.add (local.get $ix) (i32.const 1)))
          (br $cols)))
        (local.set $iy (i32.add (local.get $iy) (i32.const 1)))
        (br $rows)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $batch))))

  ;; dst[i] = src[i] + offset for i < n: int8 in, i16 out (zero-point offsets
  ;; are within +-255, so the sums fit).
  (func $widenI8 (export "widenI8") (param $src i32) (param $n i32) (param $offset i32) (param $dst i32)
    (local $i i32) (local $n16 i32) (local $v v128) (local $off v128)
    (local.set $off (i16x8.splat (local.get $offset)))
    (local.set $n16 (i32.and (local.get $n) (i32.const -16)))
    (block $endv (loop $vec
      (br_if $endv (i32.ge_s (local.get $i) (local.get $n16)))
      (local.set $v (v128.load (i32.add (local.get $src) (local.get $i))))
      (v128.store offset=0 (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 1)))
        (i16x8.add (i16x8.extend_low_i8x16_s (local.get $v)) (local.get $off)))
      (v128.store offset=16 (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 1)))
        (i16x8.add (i16x8.extend_high_i8x16_s (local.get $v)) (local.get $off)))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $vec)))
    (block $endt (loop $tail
      (br_if $endt (i32.ge_s (local.get $i) (local.get $n)))
      (i32.store16 (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 1)))
        (i32.add (i32.load8_s (i32.add (local.get $src) (local.get $i))) (local.get $offset)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $tail))))

  ;; TFLM's int8 output step for count int32 sums, channel = index mod n:
  ;; out = clamp(MultiplyByQuantizedMultiplier(acc + bias[c], mult[c], shift[c])
  ;; + outOffset, qmin, qmax), with gemmlowp's double rounding (TFLM is built
  ;; without TFLITE_SINGLE_ROUNDING). bias, mult, shift: i32 arrays of n;
  ;; bias -1: the sums hold their bias already (a kernel that starts its sums
  ;; from it spares this step a load and an add per 4 lanes). The vector form
  ;; may read the 32 bytes past the sums.
  ;; Sums go through the vector form (requantizeVector) when every channel's
  ;; multiplier and shift allow it. Its lanes follow the channels with the
  ;; period L = lcm(n, 8) elements (n itself when n is a multiple of 8, else
  ;; 2, 4 or 8 pixels of n channels), 16 lanes a step, the last step storing
  ;; only the results left. The word at `table` says whether its table (from
  ;; table + 16, L / 4 blocks of 4 lanes) is built: 0 not yet (built now), 1 built,
  ;; 2 unusable (the scalar form); built, it is odd, plus 2 in the narrow form
  ;; (requantizeTable; the words at table + 4 and + 8 hold its lowest right
  ;; shift and spread), 4 when some channel shifts left, and 8 when the float
  ;; form may answer (requantizeVector). A caller that keeps the table for an
  ;; operator's every call builds it once.
  (func $requantizeI8 (export "requantizeI8") (param $acc i32) (param $count i32) (param $n i32) (param $bias i32) (param $mult i32) (param $shift i32)
    (param $outOffset i32) (param $qmin i32) (param $qmax i32) (param $out i32) (param $table i32)
    (local $period i32)
    (if (i32.le_s (local.get $n) (i32.const 0))
      (then
        (call $requantizeScalar (local.get $acc) (local.get $count) (local.get $n) (local.get $bias) (local.get $mult) (local.get $shift)
          (local.get $outOffset) (local.get $qmin) (local.get $qmax) (local.get $out))
        (return)))
    (local.set $period (call $lanePeriod (local.get $n)))
    (if (i32.eqz (i32.load (local.get $table)))
      (then
        (i32.store (local.get $table)
          (call $requantizeTable (local.get $n) (local.get $period) (local.get $bias) (local.get $mult) (local.get $shift) (local.get $table)))))
    (if (i32.and (i32.load (local.get $table)) (i32.const 1))
      (then
        (call $requantizeVector (local.get $acc) (local.get $count) (local.get $period) (local.get $outOffset) (local.get $qmin) (local.get $qmax)
          (local.get $out) (local.get $table) (local.get $bias))
        (return)))
    (call $requantizeScalar (local.get $acc) (local.get $count) (local.get $n) (local.get $bias) (local.get $mult) (local.get $shift)
      (local.get $outOffset) (local.get $qmin) (local.get $qmax) (local.get $out)))

  ;; The table's lane period for n channels, lcm(n, 8): n times 8 over the
  ;; largest power of two (at most 8) that divides it.
  (func $lanePeriod (param $n i32) (result i32)
    (local $p i32)
    (local.set $p (i32.ctz (local.get $n)))
    (i32.shl (local.get $n) (i32.sub (i32.const 3) (select (local.get $p) (i32.const 3) (i32.lt_u (local.get $p) (i32.const 3))))))

  ;; For a packed window kernel asked (`quant` not 0: the output offset, qmin
  ;; and qmax there) to run the output step on its sums as it makes them
  ;; (packed.wat), where the n channels' int32 biases, multipliers and shifts
  ;; lie at `bias` and requantizeI8's table right after them: the table (built
  ;; now as requantizeI8 builds it, without biases: the kernels start their
  ;; sums from them) when its float form answers, else 0 (the kernel writes its
  ;; sums, and the caller runs requantizeI8 on them).
  (func $fusedOutputStep (param $quant i32) (param $bias i32) (param $n i32) (result i32)
    (local $table i32)
    (if (i32.eqz (local.get $quant)) (then (return (i32.const 0))))
    (local.set $table (i32.add (local.get $bias) (i32.mul (local.get $n) (i32.const 12))))
    (if (i32.eqz (i32.load (local.get $table)))
      (then
        (i32.store (local.get $table)
          (call $requantizeTable (local.get $n) (call $lanePeriod (local.get $n)) (i32.const -1)
            (i32.add (local.get $bias) (i32.shl (local.get $n) (i32.const 2))) (i32.add (local.get $bias) (i32.shl (local.get $n) (i32.const 3)))
            (local.get $table)))))
    (select (local.get $table) (i32.const 0) (i32.eq (i32.and (i32.load (local.get $table)) (i32.const 9)) (i32.const 9))))

  ;; requantizeVector's float form on 8 sums (with their bias), x0 and x1,
  ;; whose lanes' constants are the table's blocks at tb and tb1: the 8
  ;; int8 results, clamped to [min, max], in the low 8 bytes (the high 8 repeat
  ;; them). A lane near a tie sends the 8 the exact way.
  (func $requantize8 (param $x0 v128) (param $x1 v128) (param $tb i32) (param $tb1 i32) (param $table i32)
    (param $offset v128) (param $offset16 v128) (param $min v128) (param $max v128) (result v128)
    (local $f0 v128) (local $f1 v128) (local $r0 v128) (local $r1 v128) (local $y v128)
    (local.set $f0 (f32x4.mul (f32x4.convert_i32x4_s (local.get $x0)) (v128.load offset=16 (local.get $tb))))
    (local.set $f1 (f32x4.mul (f32x4.convert_i32x4_s (local.get $x1)) (v128.load offset=16 (local.get $tb1))))
    (local.set $r0 (f32x4.nearest (local.get $f0)))
    (local.set $r1 (f32x4.nearest (local.get $f1)))
    (local.set $y (i16x8.add_sat_s (i16x8.narrow_i32x4_s
      (i32x4.trunc_sat_f32x4_s (;in range;) (local.get $r0)) (i32x4.trunc_sat_f32x4_s (;in range;) (local.get $r1)))
      (local.get $offset16)))
    (local.set $f0 (f32x4.sub (local.get $f0) (local.get $r0)))
    (local.set $f1 (f32x4.sub (local.get $f1) (local.get $r1)))
    (if (v128.any_true (v128.or
          (f32x4.ge (f32x4.mul (local.get $f0) (local.get $f0)) (v128.load offset=80 (local.get $tb)))
          (f32x4.ge (f32x4.mul (local.get $f1) (local.get $f1)) (v128.load offset=80 (local.get $tb1)))))
      (then (local.set $y (call $requantizeExact (local.get $x0) (local.get $x1) (local.get $tb) (local.get $tb1) (local.get $table) (local.get $offset)))))
    (i8x16.min_s (i8x16.max_s (i8x16.narrow_i16x8_s (local.get $y) (local.get $y)) (local.get $min)) (local.get $max)))

  ;; Per block of 4 lanes of the period, 6 vectors (96 bytes, from table + 16)
  ;; of what requantizeVector needs per lane (lane c: channel c mod n), where
  ;; SIMD has no per-lane shift: bias, 2^left (with no left shift at all: the
  ;; float scale below), the multiplier, the step that divides by 2^right
  ;; (below), 2^right >> 1, and the float form's threshold. Returns the
  ;; table's state (requantizeI8): 2 (nothing usable) when some channel's
  ;; multiplier is negative (then the product's sign is not x's, or
  ;; SaturatingRoundingDoublingHighMul saturates) or its shift is beyond
  ;; [-31, 30]. The division by 2^right of t < 2^32: in general the high word of
  ;; t * 2^(31 - right) doubled (2^31 for right = 0, read unsigned), state 1;
  ;; when the right shifts lie in [lo, lo + spread] with spread <= lo (most
  ;; per-channel layers), state 3: ((t >> lo) * 2^(spread - (right - lo))) >> spread,
  ;; exact since t >> lo < 2^(32 - lo) and the product stays below 2^32; the
  ;; table holds 2^(spread - (right - lo)), lo and spread. Plus 4 when some
  ;; channel shifts left (else the vector form skips the multiply by 2^left).
  ;; Plus 8 when no channel shifts left and every right shift is at least 3:
  ;; the float form (requantizeVector) may then answer, with the scale
  ;; multiplier * 2^-(31 + right) rounded to float32 and the square (a float32
  ;; product) of the threshold 0.5 - 2^-(right + 1) - 2^-13 of each lane.
  (func $requantizeTable (param $n i32) (param $period i32) (param $bias i32) (param $mult i32) (param $shift i32) (param $table i32) (result i32)
    (local $c i32) (local $ch i32) (local $m i32) (local $sh i32) (local $right i32) (local $at i32) (local $lo i32) (local $hi i32) (local $narrow i32) (local $threshold f32)
    (local $left i32)
    (local.set $lo (i32.const 64))
    (block $end (loop $each
      (br_if $end (i32.ge_s (local.get $c) (local.get $n)))
      (local.set $m (i32.load (i32.add (local.get $mult) (i32.shl (local.get $c) (i32.const 2)))))
      (local.set $sh (i32.load (i32.add (local.get $shift) (i32.shl (local.get $c) (i32.const 2)))))
      (if (i32.or (i32.lt_s (local.get $m) (i32.const 0))
                  (i32.or (i32.gt_s (local.get $sh) (i32.const 30)) (i32.lt_s (local.get $sh) (i32.const -31))))
        (then (return (i32.const 2))))
      ;; A channel of multiplier 0 gives 0 whatever its shift (a filter of zeros is quantized to 0 and shift 0): it
      ;; takes the lowest right shift of the others, so that it keeps no layer from the float form.
      (if (local.get $m)
        (then
          (local.set $right (select (i32.sub (i32.const 0) (local.get $sh)) (i32.const 0) (i32.lt_s (local.get $sh) (i32.const 0))))
          (if (i32.gt_s (local.get $sh) (i32.const 0)) (then (local.set $left (i32.const 4))))
          (if (i32.lt_s (local.get $right) (local.get $lo)) (then (local.set $lo (local.get $right))))
          (if (i32.gt_s (local.get $right) (local.get $hi)) (then (local.set $hi (local.get $right))))))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br $each)))
    ;; Every multiplier 0: any shift serves.
    (if (i32.eq (local.get $lo) (i32.const 64)) (then (local.set $lo (i32.const 31)) (local.set $hi (i32.const 31))))
    (local.set $narrow (i32.le_s (i32.sub (local.get $hi) (local.get $lo)) (local.get $lo)))
    (i32.store offset=4 (local.get $table) (local.get $lo))
    (i32.store offset=8 (local.get $table) (i32.sub (local.get $hi) (local.get $lo)))
    (local.set $c (i32.const 0))
    (block $end (loop $each
      (br_if $end (i32.ge_s (local.get $c) (local.get $period)))
      (local.set $ch (i32.rem_u (local.get $c) (local.get $n)))
      (local.set $m (i32.load (i32.add (local.get $mult) (i32.shl (local.get $ch) (i32.const 2)))))
      (local.set $sh (select (i32.load (i32.add (local.get $shift) (i32.shl (local.get $ch) (i32.const 2)))) (i32.sub (i32.const 0) (local.get $lo))
        (local.get $m)))
      (local.set $right (select (i32.sub (i32.const 0) (local.get $sh)) (i32.const 0) (i32.lt_s (local.get $sh) (i32.const 0))))
      ;; Block c >> 2, lane c & 3.
      (local.set $at (i32.add (i32.add (local.get $table) (i32.add (i32.const 16) (i32.mul (i32.shr_u (local.get $c) (i32.const 2)) (i32.const 96))))
                              (i32.shl (i32.and (local.get $c) (i32.const 3)) (i32.const 2))))
      (i32.store offset=0 (local.get $at)
        (if (result i32) (i32.ne (local.get $bias) (i32.const -1)) (then (i32.load (i32.add (local.get $bias) (i32.shl (local.get $ch) (i32.const 2))))) (else (i32.const 0))))
      (i32.store offset=16 (local.get $at)
        (i32.shl (i32.const 1) (select (local.get $sh) (i32.const 0) (i32.gt_s (local.get $sh) (i32.const 0)))))
      (i32.store offset=32 (local.get $at) (local.get $m))
      (i32.store offset=48 (local.get $at)
        (select
          (i32.shl (i32.const 1) (i32.sub (local.get $hi) (local.get $right)))
          (i32.shl (i32.const 1) (i32.sub (i32.const 31) (local.get $right)))
          (local.get $narrow)))
      (i32.store offset=64 (local.get $at) (i32.shr_u (i32.shl (i32.const 1) (local.get $right)) (i32.const 1)))
      ;; The float form's scale (over the 2^left slot, which it never reads) and threshold; 2^-k as a float64's bits.
      (if (i32.eqz (local.get $left))
        (then
          (f32.store offset=16 (local.get $at)
            (f32.demote_f64 (f64.mul (f64.convert_i32_s (local.get $m))
              (f64.reinterpret_i64 (i64.shl (i64.extend_i32_u (i32.sub (i32.const 992) (local.get $right))) (i64.const 52))))))
          (local.set $threshold (f32.demote_f64 (f64.sub (f64.const 0.4998779296875)
            (f64.reinterpret_i64 (i64.shl (i64.extend_i32_u (i32.sub (i32.const 1022) (local.get $right))) (i64.const 52))))))
          (f32.store offset=80 (local.get $at) (f32.mul (local.get $threshold) (local.get $threshold)))))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br $each)))
    (i32.or (i32.or (i32.or (i32.const 1) (local.get $left)) (select (i32.const 2) (i32.const 0) (local.get $narrow)))
      (select (i32.const 8) (i32.const 0) (i32.and (i32.eqz (local.get $left)) (i32.ge_s (local.get $lo) (i32.const 3))))))

  ;; The output step of requantizeScalar, 16 lanes per step (n, the lane
  ;; period, a multiple of 8; a last step of 8 results or fewer repeats its
  ;; first 8 lanes in its second 8, so no step reads more than 32 bytes past
  ;; the sums, and it stores only the results left), exact in every lane:
  ;; - SaturatingRoundingDoublingHighMul(x, m) for m >= 0 (so no saturation) is
  ;;   floor((x * m + 2^30) / 2^31) whatever x's sign: for x * m < 0 its
  ;;   truncation of (x * m + 1 - 2^30) / 2^31 toward zero is that numerator's
  ;;   ceiling, floor((x * m + 1 - 2^30 + 2^31 - 1) / 2^31). So h is the
  ;;   signed high word of the doubled 64-bit sum (|x * m| < 2^62).
  ;; - RoundingDivideByPOT (halves away from zero) of h is
  ;;   sign(h) * floor((|h| + 2^right / 2) / 2^right), on |h| <= 2^31 read
  ;;   unsigned (the sum stays below 2^32): the high word of
  ;;   (|h| + 2^right / 2) * 2^(31 - right) doubled, no per-lane shift needed,
  ;;   or the narrow form's shifts and multiply; the sign goes back at the end.
  ;; The float form (state + 8) tries each step first in float32, which takes
  ;; fewer instructions: with y = x * m / 2^(31 + right), h lies within 1/2 of
  ;; y * 2^right, so the result (h / 2^right rounded) is y's nearest integer
  ;; whenever y lies more than 2^-(right + 1) from a half-integer. The float
  ;; product f of x and the lane's scale is within 3 * 2^-24 * |y| of y (three
  ;; roundings), under 2^-13 while |y| < 2^9; from |y| = 511 on, both results
  ;; lie 510 or more from 0 on y's side, so with any output offset (int8) both
  ;; clamp to the same bound (right >= 3 keeps |y| < 2^28, so no conversion
  ;; saturates). So f's nearest integer is the result when |f - nearest(f)| is
  ;; below the lane's threshold t = 0.5 - 2^-(right + 1) - 2^-13; each 8 lanes with any lane at
  ;; or past it (a few percent of them) go the exact way. The test squares:
  ;; (f - nearest(f))^2 against t * t, both float32 products, flags every lane
  ;; |f - nearest(f)| >= t does (rounding is monotonic), two instructions
  ;; fewer per 4 lanes than an absolute value (V8 builds its mask each time).
  (func $requantizeVector (param $acc i32) (param $count i32) (param $n i32) (param $outOffset i32) (param $qmin i32) (param $qmax i32)
    (param $out i32) (param $table i32) (param $bias i32)
    (local $i i32) (local $c i32) (local $c2 i32) (local $a i32) (local $a2 i32) (local $left i32) (local $tb i32) (local $tb2 i32) (local $float i32)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128) (local $y v128) (local $z v128)
    (local $offset v128) (local $offset16 v128) (local $min v128) (local $max v128)
    (local.set $float (i32.and (i32.load (local.get $table)) (i32.const 8)))
    (local.set $offset (i32x4.splat (local.get $outOffset)))
    (local.set $offset16 (i16x8.splat (local.get $outOffset)))
    (local.set $min (i8x16.splat (local.get $qmin)))
    (local.set $max (i8x16.splat (local.get $qmax)))
    ;; Four independent groups of 4 lanes per step, the second 8 from the lane period's next 8 (c2), or, in a last
    ;; step of at most 8 results, the first 8 again.
    (block $end (loop $each
      (br_if $end (i32.ge_s (local.get $i) (local.get $count)))
      (local.set $left (i32.sub (local.get $count) (local.get $i)))
      (local.set $a (i32.add (local.get $acc) (i32.shl (local.get $i) (i32.const 2))))
      (local.set $a2 (i32.add (local.get $a) (i32.const 32)))
      (local.set $c2 (i32.add (local.get $c) (i32.const 8)))
      (if (i32.eq (local.get $c2) (local.get $n)) (then (local.set $c2 (i32.const 0))))
      (if (i32.le_s (local.get $left) (i32.const 8))
        (then
          (local.set $a2 (local.get $a))
          (local.set $c2 (local.get $c))))
      (local.set $tb (i32.add (local.get $table) (i32.add (i32.const 16) (i32.mul (i32.shr_u (local.get $c) (i32.const 2)) (i32.const 96)))))
      (local.set $tb2 (i32.add (local.get $table) (i32.add (i32.const 16) (i32.mul (i32.shr_u (local.get $c2) (i32.const 2)) (i32.const 96)))))
      (local.set $x0 (v128.load offset=0 (local.get $a)))
      (local.set $x1 (v128.load offset=16 (local.get $a)))
      (local.set $x2 (v128.load offset=0 (local.get $a2)))
      (local.set $x3 (v128.load offset=16 (local.get $a2)))
      (if (i32.ne (local.get $bias) (i32.const -1))
        (then
          (local.set $x0 (i32x4.add (local.get $x0) (v128.load offset=0 (local.get $tb))))
          (local.set $x1 (i32x4.add (local.get $x1) (v128.load offset=96 (local.get $tb))))
          (local.set $x2 (i32x4.add (local.get $x2) (v128.load offset=0 (local.get $tb2))))
          (local.set $x3 (i32x4.add (local.get $x3) (v128.load offset=96 (local.get $tb2))))))
      (if (local.get $float)
        (then
          ;; Each 8 in requantize8's float form, which sends them the exact way alone when a lane lies near a tie (a
          ;; last step's lanes past the results may too: their results are not stored).
          (local.set $y (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
            (call $requantize8 (local.get $x0) (local.get $x1) (local.get $tb) (i32.add (local.get $tb) (i32.const 96)) (local.get $table)
              (local.get $offset) (local.get $offset16) (local.get $min) (local.get $max))
            (call $requantize8 (local.get $x2) (local.get $x3) (local.get $tb2) (i32.add (local.get $tb2) (i32.const 96)) (local.get $table)
              (local.get $offset) (local.get $offset16) (local.get $min) (local.get $max)))))
        (else
          (local.set $y (call $requantizeExact (local.get $x0) (local.get $x1) (local.get $tb) (i32.add (local.get $tb) (i32.const 96)) (local.get $table) (local.get $offset)))
          (local.set $z (call $requantizeExact (local.get $x2) (local.get $x3) (local.get $tb2) (i32.add (local.get $tb2) (i32.const 96)) (local.get $table) (local.get $offset)))
          ;; Saturating to int8, then clamping to [qmin, qmax] (within int8), clamps the same.
          (local.set $y (i8x16.min_s (i8x16.max_s (i8x16.narrow_i16x8_s (local.get $y) (local.get $z)) (local.get $min)) (local.get $max)))))
      (if (i32.ge_s (local.get $left) (i32.const 16))
        (then (v128.store (i32.add (local.get $out) (local.get $i)) (local.get $y)))
        (else (call $storeFirst (i32.add (local.get $out) (local.get $i)) (local.get $y) (local.get $left))))
      (local.set $c (i32.add (local.get $c2) (i32.const 8)))
      (if (i32.eq (local.get $c) (local.get $n)) (then (local.set $c (i32.const 0))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $each))))

  ;; Stores the first k (below 16) bytes of v at p, nothing past them.
  (func $storeFirst (param $p i32) (param $v v128) (param $k i32)
    (if (i32.and (local.get $k) (i32.const 8))
      (then
        (v128.store64_lane 0 (local.get $p) (local.get $v))
        (local.set $v (i8x16.shuffle 8 9 10 11 12 13 14 15 0 0 0 0 0 0 0 0 (local.get $v) (local.get $v)))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))))
    (if (i32.and (local.get $k) (i32.const 4))
      (then
        (v128.store32_lane 0 (local.get $p) (local.get $v))
        (local.set $v (i8x16.shuffle 4 5 6 7 0 0 0 0 0 0 0 0 0 0 0 0 (local.get $v) (local.get $v)))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))))
    (if (i32.and (local.get $k) (i32.const 2))
      (then
        (v128.store16_lane 0 (local.get $p) (local.get $v))
        (local.set $v (i8x16.shuffle 2 3 0 0 0 0 0 0 0 0 0 0 0 0 0 0 (local.get $v) (local.get $v)))
        (local.set $p (i32.add (local.get $p) (i32.const 2)))))
    (if (i32.and (local.get $k) (i32.const 1))
      (then (v128.store8_lane 0 (local.get $p) (local.get $v)))))

  ;; The exact output step of 8 lanes, x0 and x1 (sums with their bias), whose
  ;; per-lane constants are the table's blocks at tb and tb1 (of the table at
  ;; `table`, whose word says whether to shift left and which division form to
  ;; use): the 8 results plus the output offset (i32x4; it wraps as TFLM's
  ;; int32 addition does), saturated to int16. Its two
  ;; blocks are written out (not a call each): most of a layer without the
  ;; float form comes this way.
  (func $requantizeExact (param $x0 v128) (param $x1 v128) (param $tb i32) (param $tb1 i32) (param $table i32) (param $offset v128) (result v128)
    (local $state i32) (local $lo i32) (local $spread i32)
    (local $l0 v128) (local $h0 v128) (local $t0 v128) (local $neg0 v128)
    (local $l1 v128) (local $h1 v128) (local $t1 v128) (local $neg1 v128) (local $half v128)
    (local.set $state (i32.load (local.get $table)))
    (local.set $lo (i32.load offset=4 (local.get $table)))
    (local.set $spread (i32.load offset=8 (local.get $table)))
    (local.set $half (v128.const i64x2 0x40000000 0x40000000))
    (if (i32.and (local.get $state) (i32.const 4))
      (then
        (local.set $x0 (i32x4.mul (local.get $x0) (v128.load offset=16 (local.get $tb))))
        (local.set $x1 (i32x4.mul (local.get $x1) (v128.load offset=16 (local.get $tb1))))))
    (local.set $l0 (i64x2.shl (i64x2.add (i64x2.extmul_low_i32x4_s (local.get $x0) (v128.load offset=32 (local.get $tb))) (local.get $half)) (i32.const 1)))
    (local.set $h0 (i64x2.shl (i64x2.add (i64x2.extmul_high_i32x4_s (local.get $x0) (v128.load offset=32 (local.get $tb))) (local.get $half)) (i32.const 1)))
    (local.set $l1 (i64x2.shl (i64x2.add (i64x2.extmul_low_i32x4_s (local.get $x1) (v128.load offset=32 (local.get $tb1))) (local.get $half)) (i32.const 1)))
    (local.set $h1 (i64x2.shl (i64x2.add (i64x2.extmul_high_i32x4_s (local.get $x1) (v128.load offset=32 (local.get $tb1))) (local.get $half)) (i32.const 1)))
    (local.set $t0 (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $l0) (local.get $h0)))
    (local.set $t1 (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $l1) (local.get $h1)))
    (local.set $neg0 (i32x4.shr_s (local.get $t0) (i32.const 31)))
    (local.set $neg1 (i32x4.shr_s (local.get $t1) (i32.const 31)))
    (local.set $t0 (i32x4.add (i32x4.abs (local.get $t0)) (v128.load offset=64 (local.get $tb))))
    (local.set $t1 (i32x4.add (i32x4.abs (local.get $t1)) (v128.load offset=64 (local.get $tb1))))
    (if (i32.and (local.get $state) (i32.const 2))
      (then
        (local.set $t0 (i32x4.shr_u (i32x4.mul (i32x4.shr_u (local.get $t0) (local.get $lo)) (v128.load offset=48 (local.get $tb))) (local.get $spread)))
        (local.set $t1 (i32x4.shr_u (i32x4.mul (i32x4.shr_u (local.get $t1) (local.get $lo)) (v128.load offset=48 (local.get $tb1))) (local.get $spread))))
      (else
        (local.set $l0 (i64x2.shl (i64x2.extmul_low_i32x4_u (local.get $t0) (v128.load offset=48 (local.get $tb))) (i32.const 1)))
        (local.set $h0 (i64x2.shl (i64x2.extmul_high_i32x4_u (local.get $t0) (v128.load offset=48 (local.get $tb))) (i32.const 1)))
        (local.set $l1 (i64x2.shl (i64x2.extmul_low_i32x4_u (local.get $t1) (v128.load offset=48 (local.get $tb1))) (i32.const 1)))
        (local.set $h1 (i64x2.shl (i64x2.extmul_high_i32x4_u (local.get $t1) (v128.load offset=48 (local.get $tb1))) (i32.const 1)))
        (local.set $t0 (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $l0) (local.get $h0)))
        (local.set $t1 (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $l1) (local.get $h1)))))
    (i16x8.narrow_i32x4_s
      (i32x4.add (i32x4.sub (v128.xor (local.get $t0) (local.get $neg0)) (local.get $neg0)) (local.get $offset))
      (i32x4.add (i32x4.sub (v128.xor (local.get $t1) (local.get $neg1)) (local.get $neg1)) (local.get $offset))))

  (func $requantizeScalar (param $acc i32) (param $count i32) (param $n i32) (param $bias i32) (param $mult i32) (param $shift i32)
    (param $outOffset i32) (param $qmin i32) (param $qmax i32) (param $out i32)
    (local $i i32) (local $c i32) (local $x i32) (local $m i32) (local $sh i32) (local $right i32) (local $ab i64) (local $mask i32) (local $v i32)
    (block $end (loop $each
      (br_if $end (i32.ge_s (local.get $i) (local.get $count)))
      (local.set $x (i32.load (i32.add (local.get $acc) (i32.shl (local.get $i) (i32.const 2)))))
      (if (i32.ne (local.get $bias) (i32.const -1))
        (then (local.set $x (i32.add (local.get $x) (i32.load (i32.add (local.get $bias) (i32.shl (local.get $c) (i32.const 2))))))))
      (local.set $m (i32.load (i32.add (local.get $mult) (i32.shl (local.get $c) (i32.const 2)))))
      (local.set $sh (i32.load (i32.add (local.get $shift) (i32.shl (local.get $c) (i32.const 2)))))
      (local.set $right (i32.const 0))
      (if (i32.gt_s (local.get $sh) (i32.const 0))
        (then (local.set $x (i32.shl (local.get $x) (local.get $sh))))
        (else (local.set $right (i32.sub (i32.const 0) (local.get $sh)))))
      ;; SaturatingRoundingDoublingHighMul(x, m)
      (if (i32.and (i32.eq (local.get $x) (i32.const 0x80000000)) (i32.eq (local.get $m) (i32.const 0x80000000)))
        (then (local.set $x (i32.const 0x7fffffff)))
        (else
          (local.set $ab (i64.mul (i64.extend_i32_s (local.get $x)) (i64.extend_i32_s (local.get $m))))
          (local.set $ab (i64.add (local.get $ab) (select (i64.const 0x40000000) (i64.const -1073741823) (i64.ge_s (local.get $ab) (i64.const 0)))))
          ;; / 2^31 truncating toward zero, as C's division: negative values are biased by 2^31 - 1 before the shift.
          (local.set $x (i32.wrap_i64 (i64.shr_s
            (i64.add (local.get $ab) (i64.and (i64.shr_s (local.get $ab) (i64.const 63)) (i64.const 0x7fffffff)))
            (i64.const 31))))))
      ;; RoundingDivideByPOT(x, right)
      (if (local.get $right)
        (then
          (local.set $mask (i32.sub (i32.shl (i32.const 1) (local.get $right)) (i32.const 1)))
          (local.set $x (i32.add (i32.shr_s (local.get $x) (local.get $right))
            (i32.gt_s (i32.and (local.get $x) (local.get $mask))
                      (i32.add (i32.shr_s (local.get $mask) (i32.const 1)) (i32.lt_s (local.get $x) (i32.const 0))))))))
      (local.set $v (i32.add (local.get $x) (local.get $outOffset)))
      (local.set $v (select (local.get $qmin) (local.get $v) (i32.lt_s (local.get $v) (local.get $qmin))))
      (local.set $v (select (local.get $qmax) (local.get $v) (i32.gt_s (local.get $v) (local.get $qmax))))
      (i32.store8 (i32.add (local.get $out) (local.get $i)) (local.get $v))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (if (i32.eq (local.get $c) (local.get $n)) (then (local.set $c (i32.const 0))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $each))))

  ;; An ungrouped conv without horizontal dilation over NHWC operands, output
  ;; pixel by output pixel: for each in-bounds filter row (in reference order)
  ;; the in-bounds filter columns read one contiguous input run. Integer mode
  ;; (float = 0): x and w are i16, w is [out channel][row][column][in channel],
  ;; sums go through dotWindow. Float mode: x and w are f32, w is transposed to
  ;; [row][column][in channel][out channel], sums go through outerAddF32. acc
  ;; holds one 32-bit accumulator per output element.
  (func (export "convDense") (param $float i32) (param $x i32) (param $w i32) (param $acc i32)
    (param $batches i32) (param $inH i32) (param $inW i32) (param $inC i32) (param $outC i32) (param $kH i32) (param $kW i32)
    (param $outH i32) (param $outW i32) (param $strideH i32) (param $strideW i32) (param $padH i32) (param $padW i32) (param $dilationH i32)
    (local $n i32) (local $oy i32) (local $ox i32) (local $ky i32) (local $y0 i32) (local $x0 i32) (local $kx0 i32) (local $kx1 i32)
    (local $iy i32) (local $ky1 i32) (local $o i32) (local $filterRow i32) (local $filterSize i32) (local $xi i32) (local $wk i32) (local $len i32)
    (local.set $filterRow (i32.mul (local.get $kW) (local.get $inC)))
    (local.set $filterSize (i32.mul (local.get $kH) (local.get $filterRow)))
    (local.set $o (local.get $acc))
    (block $endn (loop $batch
      (br_if $endn (i32.ge_s (local.get $n) (local.get $batches)))
      (local.set $oy (i32.const 0))
      (block $endy (loop $rows
        (br_if $endy (i32.ge_s (local.get $oy) (local.get $outH)))
        (local.set $y0 (i32.sub (i32.mul (local.get $oy) (local.get $strideH)) (local.get $padH)))
        (local.set $ox (i32.const 0))
        (block $endx (loop $cols
          (br_if $endx (i32.ge_s (local.get $ox) (local.get $outW)))
          (local.set $x0 (i32.sub (i32.mul (local.get $ox) (local.get $strideW)) (local.get $padW)))
          (local.set $kx0 (select (i32.sub (i32.const 0) (local.get $x0)) (i32.const 0) (i32.lt_s (local.get $x0) (i32.const 0))))
          (local.set $kx1 (i32.sub (local.get $inW) (local.get $x0)))
          (local.set $kx1 (select (local.get $kW) (local.get $kx1) (i32.lt_s (local.get $kW) (local.get $kx1))))
          (if (i32.gt_s (local.get $kx1) (local.get $kx0))
            (then
              (local.set $len (i32.mul (i32.sub (local.get $kx1) (local.get $kx0)) (local.get $inC)))
              ;; In-bounds filter rows form one range [ky, ky1).
              (local.set $ky (i32.const 0))
              (block $found (loop $skip
                (br_if $found (i32.ge_s (local.get $ky) (local.get $kH)))
                (br_if $found (i32.ge_s (i32.add (local.get $y0) (i32.mul (local.get $dilationH) (local.get $ky))) (i32.const 0)))
                (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
                (br $skip)))
              (local.set $ky1 (local.get $ky))
              (block $last (loop $more
                (br_if $last (i32.ge_s (local.get $ky1) (local.get $kH)))
                (br_if $last (i32.ge_s (i32.add (local.get $y0) (i32.mul (local.get $dilationH) (local.get $ky1))) (local.get $inH)))
                (local.set $ky1 (i32.add (local.get $ky1) (i32.const 1)))
                (br $more)))
              (local.set $iy (i32.add (local.get $y0) (i32.mul (local.get $dilationH) (local.get $ky))))
              (local.set $xi (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $inH)) (local.get $iy)) (local.get $inW))
                                               (i32.add (local.get $x0) (local.get $kx0))) (local.get $inC)))
              (local.set $wk (i32.add (i32.mul (local.get $ky) (local.get $filterRow)) (i32.mul (local.get $kx0) (local.get $inC))))
              (if (local.get $float)
                (then
                  ;; Row by row: each lane's sum must take the rows in order.
                  (block $endk (loop $taps
                    (br_if $endk (i32.ge_s (local.get $ky) (local.get $ky1)))
                    (call $outerAddF32 (i32.add (local.get $x) (i32.shl (local.get $xi) (i32.const 2)))
                                       (i32.add (local.get $w) (i32.shl (i32.mul (local.get $wk) (local.get $outC)) (i32.const 2)))
                                       (local.get $len) (local.get $outC) (local.get $o))
                    (local.set $xi (i32.add (local.get $xi) (i32.mul (i32.mul (local.get $dilationH) (local.get $inW)) (local.get $inC))))
                    (local.set $wk (i32.add (local.get $wk) (local.get $filterRow)))
                    (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
                    (br $taps))))
                (else
                  (if (i32.gt_s (local.get $ky1) (local.get $ky))
                    (then (call $dotWindow (i32.add (local.get $x) (i32.shl (local.get $xi) (i32.const 1)))
                                           (i32.mul (i32.mul (local.get $dilationH) (local.get $inW)) (local.get $inC))
                                           (i32.add (local.get $w) (i32.shl (local.get $wk) (i32.const 1)))
                                           (local.get $filterRow) (local.get $filterSize) (local.get $outC)
                                           (i32.sub (local.get $ky1) (local.get $ky)) (local.get $len) (local.get $o))))))))
          (local.set $o (i32.add (local.get $o) (i32.shl (local.get $outC) (i32.const 2))))
          (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
          (br $cols)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $rows)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $batch))))

  ;; A depthwise conv with depth multiplier 1 over NHWC operands: for every
  ;; output pixel, its in-bounds filter taps in reference order (row, then
  ;; column), each over all channels at once through mulAddI16 (float = 0: i16
  ;; operands) or mulAddF32 (float = 1). w is [row][column][channel]; acc holds
  ;; one 32-bit accumulator per output element.
  (func (export "depthwiseDense") (param $float i32) (param $x i32) (param $w i32) (param $acc i32)
    (param $batches i32) (param $inH i32) (param $inW i32) (param $channels i32) (param $kH i32) (param $kW i32)
    (param $outH i32) (param $outW i32) (param $strideH i32) (param $strideW i32) (param $padH i32) (param $padW i32)
    (param $dilationH i32) (param $dilationW i32)
    (local $n i32) (local $oy i32) (local $ox i32) (local $ky i32) (local $kx i32) (local $y0 i32) (local $x0 i32)
    (local $iy i32) (local $ix i32) (local $o i32) (local $xb i32) (local $wb i32) (local $shift i32)
    (local.set $shift (select (i32.const 2) (i32.const 1) (local.get $float)))
    (local.set $o (local.get $acc))
    (block $endn (loop $batch
      (br_if $endn (i32.ge_s (local.get $n) (local.get $batches)))
      (local.set $oy (i32.const 0))
      (block $endy (loop $rows
        (br_if $endy (i32.ge_s (local.get $oy) (local.get $outH)))
        (local.set $y0 (i32.sub (i32.mul (local.get $oy) (local.get $strideH)) (local.get $padH)))
        (local.set $ox (i32.const 0))
        (block $endx (loop $cols
          (br_if $endx (i32.ge_s (local.get $ox) (local.get $outW)))
          (local.set $x0 (i32.sub (i32.mul (local.get $ox) (local.get $strideW)) (local.get $padW)))
          (local.set $ky (i32.const 0))
          (block $endky (loop $taprows
            (br_if $endky (i32.ge_s (local.get $ky) (local.get $kH)))
            (local.set $iy (i32.add (local.get $y0) (i32.mul (local.get $dilationH) (local.get $ky))))
            (if (i32.and (i32.ge_s (local.get $iy) (i32.const 0)) (i32.lt_s (local.get $iy) (local.get $inH)))
              (then
                (local.set $kx (i32.const 0))
                (block $endkx (loop $tapcols
                  (br_if $endkx (i32.ge_s (local.get $kx) (local.get $kW)))
                  (local.set $ix (i32.add (local.get $x0) (i32.mul (local.get $dilationW) (local.get $kx))))
                  (if (i32.and (i32.ge_s (local.get $ix) (i32.const 0)) (i32.lt_s (local.get $ix) (local.get $inW)))
                    (then
                      (local.set $xb (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $inH)) (local.get $iy)) (local.get $inW)) (local.get $ix)) (local.get $channels)))
                      (local.set $wb (i32.mul (i32.add (i32.mul (local.get $ky) (local.get $kW)) (local.get $kx)) (local.get $channels)))
                      (if (local.get $float)
                        (then (call $mulAddF32 (i32.add (local.get $x) (i32.shl (local.get $xb) (local.get $shift)))
                                               (i32.add (local.get $w) (i32.shl (local.get $wb) (local.get $shift)))
                                               (local.get $channels) (local.get $o)))
                        (else (call $mulAddI16 (i32.add (local.get $x) (i32.shl (local.get $xb) (local.get $shift)))
                                               (i32.add (local.get $w) (i32.shl (local.get $wb) (local.get $shift)))
                                               (local.get $channels) (local.get $o))))))
                  (local.set $kx (i32.add (local.get $kx) (i32.const 1)))
                  (br $tapcols)))))
            (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
            (br $taprows)))
          (local.set $o (i32.add (local.get $o) (i32.shl (local.get $channels) (i32.const 2))))
          (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
          (br $cols)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $rows)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $batch))))
  ;; acc[p n + c] = std::min(std::max(acc[p n + c] + vec[c], lo), hi) for p <
  ;; pixels, c < n, in float32 and in place (with `mul`, x instead of +): TFLM's
  ;; float32 output step of a conv (vec: the bias), and float ADD and MUL with
  ;; an operand of the same shape or one per channel. pmax(x, lo) is
  ;; (x < lo ? lo : x) and pmin(y, hi) is (hi < y ? hi : y), which are std::max's
  ;; and std::min's, NaN and -0 included. In JavaScript the two comparisons are
  ;; branches that a ReLU's outputs mispredict half the time.
  (func (export "channelClampF32") (param $acc i32) (param $pixels i32) (param $n i32) (param $vec i32) (param $lo f32) (param $hi f32) (param $mul i32)
    (local $p i32) (local $c i32) (local $at i32) (local $n4 i32) (local $x f32) (local $y f32) (local $v v128) (local $w v128) (local $loV v128) (local $hiV v128)
    (local.set $loV (f32x4.splat (local.get $lo)))
    (local.set $hiV (f32x4.splat (local.get $hi)))
    (local.set $n4 (i32.and (local.get $n) (i32.const -4)))
    (local.set $at (local.get $acc))
    (block $endp (loop $each
      (br_if $endp (i32.ge_s (local.get $p) (local.get $pixels)))
      (local.set $c (i32.const 0))
      (block $endv (loop $vec
        (br_if $endv (i32.ge_s (local.get $c) (local.get $n4)))
        (local.set $v (v128.load (local.get $at)))
        (local.set $w (v128.load (i32.add (local.get $vec) (i32.shl (local.get $c) (i32.const 2)))))
        (local.set $v (select (f32x4.mul (local.get $v) (local.get $w)) (f32x4.add (local.get $v) (local.get $w)) (local.get $mul)))
        (v128.store (local.get $at) (f32x4.pmin (f32x4.pmax (local.get $v) (local.get $loV)) (local.get $hiV)))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $vec)))
      (block $endt (loop $tail
        (br_if $endt (i32.ge_s (local.get $c) (local.get $n)))
        (local.set $x (f32.load (local.get $at)))
        (local.set $y (f32.load (i32.add (local.get $vec) (i32.shl (local.get $c) (i32.const 2)))))
        (local.set $x (select (f32.mul (local.get $x) (local.get $y)) (f32.add (local.get $x) (local.get $y)) (local.get $mul)))
        (local.set $x (select (local.get $lo) (local.get $x) (f32.lt (local.get $x) (local.get $lo))))
        (f32.store (local.get $at) (select (local.get $hi) (local.get $x) (f32.lt (local.get $hi) (local.get $x))))
        (local.set $at (i32.add (local.get $at) (i32.const 4)))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $tail)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $each))))
)
