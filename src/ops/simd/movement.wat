;; Data movement of shape/kernel.ts and resize/kernel.ts: module fields that
;; test/helpers/assemble-wasm.mjs adds to kernels.wat's module. A channel CONCATENATION moves a few bytes per
;; pixel and part; typed-array loops in JavaScript take ~1.4 ns per element for
;; that, this a vector (or word) per step.

;; n bytes from src to dst (regions apart): 16 at a time, then 8, 4 and single bytes.
(func $copyChunk (param $dst i32) (param $src i32) (param $n i32)
  (block $end16 (loop $each16
    (br_if $end16 (i32.lt_u (local.get $n) (i32.const 16)))
    (v128.store (local.get $dst) (v128.load (local.get $src)))
    (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
    (local.set $src (i32.add (local.get $src) (i32.const 16)))
    (local.set $n (i32.sub (local.get $n) (i32.const 16)))
    (br $each16)))
  (if (i32.and (local.get $n) (i32.const 8))
    (then
      (i64.store (local.get $dst) (i64.load (local.get $src)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 8)))
      (local.set $src (i32.add (local.get $src) (i32.const 8)))))
  (if (i32.and (local.get $n) (i32.const 4))
    (then
      (i32.store (local.get $dst) (i32.load (local.get $src)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
      (local.set $src (i32.add (local.get $src) (i32.const 4)))))
  (local.set $n (i32.and (local.get $n) (i32.const 3)))
  (block $end (loop $each
    (br_if $end (i32.eqz (local.get $n)))
    (i32.store8 (local.get $dst) (i32.load8_u (local.get $src)))
    (local.set $dst (i32.add (local.get $dst) (i32.const 1)))
    (local.set $src (i32.add (local.get $src) (i32.const 1)))
    (local.set $n (i32.sub (local.get $n) (i32.const 1)))
    (br $each))))

;; CONCATENATION (gather 1) or SPLIT (gather 0) of count parts along an axis:
;; outer steps of, for each part in order, its chunk of bytes, between the
;; part's step k (part + k * chunk) and the whole, which they fill in order.
;; parts: count records of two i32, the part's address and its chunk.
(func (export "interleaveChunks") (param $whole i32) (param $parts i32) (param $count i32) (param $outer i32) (param $gather i32)
  (local $k i32) (local $r i32) (local $end i32) (local $o i32) (local $chunk i32) (local $at i32)
  (local.set $end (i32.add (local.get $parts) (i32.shl (local.get $count) (i32.const 3))))
  (local.set $o (local.get $whole))
  (block $endk (loop $steps
    (br_if $endk (i32.ge_u (local.get $k) (local.get $outer)))
    (local.set $r (local.get $parts))
    (block $endr (loop $each
      (br_if $endr (i32.ge_u (local.get $r) (local.get $end)))
      (local.set $chunk (i32.load offset=4 (local.get $r)))
      (local.set $at (i32.add (i32.load (local.get $r)) (i32.mul (local.get $k) (local.get $chunk))))
      (if (local.get $gather)
        (then (call $copyChunk (local.get $o) (local.get $at) (local.get $chunk)))
        (else (call $copyChunk (local.get $at) (local.get $o) (local.get $chunk))))
      (local.set $o (i32.add (local.get $o) (local.get $chunk)))
      (local.set $r (i32.add (local.get $r) (i32.const 8)))
      (br $each)))
    (local.set $k (i32.add (local.get $k) (i32.const 1)))
    (br $steps))))

;; RESIZE_NEAREST_NEIGHBOR of whole pixels (resize/kernel.ts): output row r
;; reads input row ys[r], output column c input column xs[c] (i32 arrays); a
;; row that reads the same input row as the one before is a copy of that
;; output row (every row of an upscale but one in k).
(func (export "resizeNearest") (param $x i32) (param $out i32) (param $batches i32) (param $inH i32) (param $inW i32) (param $pixel i32)
  (param $ys i32) (param $outH i32) (param $xs i32) (param $outW i32)
  (local $n i32) (local $r i32) (local $c i32) (local $y i32) (local $prev i32) (local $o i32) (local $rowBytes i32) (local $inRow i32)
  (local.set $rowBytes (i32.mul (local.get $outW) (local.get $pixel)))
  (local.set $o (local.get $out))
  (block $endn (loop $batch
    (br_if $endn (i32.ge_s (local.get $n) (local.get $batches)))
    (local.set $r (i32.const 0))
    ;; No input row before a batch's first output row.
    (local.set $prev (i32.const -1))
    (block $endr (loop $rows
      (br_if $endr (i32.ge_s (local.get $r) (local.get $outH)))
      (local.set $y (i32.load (i32.add (local.get $ys) (i32.shl (local.get $r) (i32.const 2)))))
      (if (i32.eq (local.get $y) (local.get $prev))
        (then
          (call $copyChunk (local.get $o) (i32.sub (local.get $o) (local.get $rowBytes)) (local.get $rowBytes))
          (local.set $o (i32.add (local.get $o) (local.get $rowBytes))))
        (else
          (local.set $inRow (i32.add (local.get $x) (i32.mul (i32.mul (i32.add (i32.mul (local.get $n) (local.get $inH)) (local.get $y)) (local.get $inW))
            (local.get $pixel))))
          (local.set $c (i32.const 0))
          (block $endc (loop $cols
            (br_if $endc (i32.ge_s (local.get $c) (local.get $outW)))
            (call $copyChunk (local.get $o)
              (i32.add (local.get $inRow) (i32.mul (i32.load (i32.add (local.get $xs) (i32.shl (local.get $c) (i32.const 2)))) (local.get $pixel)))
              (local.get $pixel))
            (local.set $o (i32.add (local.get $o) (local.get $pixel)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $cols)))))
      (local.set $prev (local.get $y))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows)))
    (local.set $n (i32.add (local.get $n) (i32.const 1)))
    (br $batch))))

;; out[k] = x[index[k]] for k < n, elements of `size` bytes (1, 2 or 4; index
;; in elements, i32): the element gathers of shape/kernel.ts (a transpose that
;; moves the last axis, as NCHW to NHWC).
(func (export "gatherElements") (param $x i32) (param $index i32) (param $n i32) (param $size i32) (param $out i32)
  (local $k i32) (local $end i32)
  (local.set $end (i32.add (local.get $index) (i32.shl (local.get $n) (i32.const 2))))
  (if (i32.eq (local.get $size) (i32.const 1))
    (then
      (block $end1 (loop $each1
        (br_if $end1 (i32.ge_u (local.get $index) (local.get $end)))
        (i32.store8 (local.get $out) (i32.load8_u (i32.add (local.get $x) (i32.load (local.get $index)))))
        (local.set $out (i32.add (local.get $out) (i32.const 1)))
        (local.set $index (i32.add (local.get $index) (i32.const 4)))
        (br $each1))))
    (else
      (if (i32.eq (local.get $size) (i32.const 2))
        (then
          (block $end2 (loop $each2
            (br_if $end2 (i32.ge_u (local.get $index) (local.get $end)))
            (i32.store16 (local.get $out) (i32.load16_u (i32.add (local.get $x) (i32.shl (i32.load (local.get $index)) (i32.const 1)))))
            (local.set $out (i32.add (local.get $out) (i32.const 2)))
            (local.set $index (i32.add (local.get $index) (i32.const 4)))
            (br $each2))))
        (else
          (block $end4 (loop $each4
            (br_if $end4 (i32.ge_u (local.get $index) (local.get $end)))
            (i32.store (local.get $out) (i32.load (i32.add (local.get $x) (i32.shl (i32.load (local.get $index)) (i32.const 2)))))
            (local.set $out (i32.add (local.get $out) (i32.const 4)))
            (local.set $index (i32.add (local.get $index) (i32.const 4)))
            (br $each4))))))))

;; [3][length] bytes to [length][3] (NCHW to NHWC of three channels, an RGB
;; input's): 16 pixels a step, the three planes' 16 bytes each interleaved by
;; shuffles into 48 (two per output vector: the first places two planes'
;; bytes, the second the third's), the last pixels one by one. The same bytes
;; gatherElements moves, a step per 48.
(func (export "interleave3Bytes") (param $x i32) (param $length i32) (param $out i32)
  (local $j i32) (local $p i32) (local $a v128) (local $b v128) (local $c v128)
  (block $endv (loop $vectors
    (br_if $endv (i32.gt_s (i32.add (local.get $j) (i32.const 16)) (local.get $length)))
    (local.set $p (i32.add (local.get $x) (local.get $j)))
    (local.set $a (v128.load (local.get $p)))
    (local.set $b (v128.load (i32.add (local.get $p) (local.get $length))))
    (local.set $c (v128.load (i32.add (local.get $p) (i32.shl (local.get $length) (i32.const 1)))))
    (local.set $p (i32.add (local.get $out) (i32.mul (local.get $j) (i32.const 3))))
    (v128.store offset=0 (local.get $p) (i8x16.shuffle 0 1 16 3 4 17 6 7 18 9 10 19 12 13 20 15
      (i8x16.shuffle 0 16 0 1 17 0 2 18 0 3 19 0 4 20 0 5 (local.get $a) (local.get $b)) (local.get $c)))
    (v128.store offset=16 (local.get $p) (i8x16.shuffle 0 21 2 3 22 5 6 23 8 9 24 11 12 25 14 15
      (i8x16.shuffle 21 0 6 22 0 7 23 0 8 24 0 9 25 0 10 26 (local.get $a) (local.get $b)) (local.get $c)))
    (v128.store offset=32 (local.get $p) (i8x16.shuffle 26 1 2 27 4 5 28 7 8 29 10 11 30 13 14 31
      (i8x16.shuffle 0 11 27 0 12 28 0 13 29 0 14 30 0 15 31 0 (local.get $a) (local.get $b)) (local.get $c)))
    (local.set $j (i32.add (local.get $j) (i32.const 16)))
    (br $vectors)))
  (block $end1 (loop $ones
    (br_if $end1 (i32.ge_s (local.get $j) (local.get $length)))
    (local.set $p (i32.add (local.get $out) (i32.mul (local.get $j) (i32.const 3))))
    (i32.store8 offset=0 (local.get $p) (i32.load8_u (i32.add (local.get $x) (local.get $j))))
    (i32.store8 offset=1 (local.get $p) (i32.load8_u (i32.add (i32.add (local.get $x) (local.get $length)) (local.get $j))))
    (i32.store8 offset=2 (local.get $p) (i32.load8_u (i32.add (i32.add (local.get $x) (i32.shl (local.get $length) (i32.const 1))) (local.get $j))))
    (local.set $j (i32.add (local.get $j) (i32.const 1)))
    (br $ones))))
