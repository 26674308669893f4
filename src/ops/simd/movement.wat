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
