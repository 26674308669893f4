;; Byte table lookups of the 8-bit element-wise kernels (elementwise/binary.ts,
;; elementwise/unary.ts): module fields that test/helpers/assemble-wasm.mjs adds
;; to kernels.wat's module. V8 runs these loops some 2-3 times faster than the
;; same loops on typed arrays (no bounds checks on the table).

;; out[i] = table[(a[i] << 8) | b[i]] for i < n: a 65,536-byte table of byte pairs.
(func (export "lookupPairs") (param $a i32) (param $b i32) (param $n i32) (param $table i32) (param $out i32)
  (local $i i32)
  (block $end (loop $each
    (br_if $end (i32.ge_u (local.get $i) (local.get $n)))
    (i32.store8 (i32.add (local.get $out) (local.get $i))
      (i32.load8_u (i32.add (local.get $table)
        (i32.or (i32.shl (i32.load8_u (i32.add (local.get $a) (local.get $i))) (i32.const 8)) (i32.load8_u (i32.add (local.get $b) (local.get $i)))))))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br $each))))

;; out[i] = table[x[i]] for i < n: a 256-byte table.
(func (export "lookupBytes") (param $x i32) (param $n i32) (param $table i32) (param $out i32)
  (local $i i32)
  (block $end (loop $each
    (br_if $end (i32.ge_u (local.get $i) (local.get $n)))
    (i32.store8 (i32.add (local.get $out) (local.get $i))
      (i32.load8_u (i32.add (local.get $table) (i32.load8_u (i32.add (local.get $x) (local.get $i))))))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br $each))))

;; out[i] = x[i] ^ c for i < n, 16 bytes a step (n rounded up to whole
;; vectors: the caller leaves 16 bytes of slack past x and out): lookupBytes
;; of a table that only flips bits.
(func (export "xorBytes") (param $x i32) (param $n i32) (param $c i32) (param $out i32)
  (local $i i32) (local $v v128)
  (local.set $v (i8x16.splat (local.get $c)))
  (block $end (loop $each
    (br_if $end (i32.ge_s (local.get $i) (local.get $n)))
    (v128.store (i32.add (local.get $out) (local.get $i)) (v128.xor (v128.load (i32.add (local.get $x) (local.get $i))) (local.get $v)))
    (local.set $i (i32.add (local.get $i) (i32.const 16)))
    (br $each))))
