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
