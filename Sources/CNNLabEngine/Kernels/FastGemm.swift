// A small blocked SIMD matrix multiply for the dense layers (fp32, row-major).
//
// M, N, K: C is M x N, A is M x K, B is K x N. A and B are read through (row, column) strides,
// so transposed operands need no copy: B is packed into K-by-32 panels anyway (zero-padded at
// the right edge), and A is only ever read one scalar at a time (broadcast).

/// Column width of a packed B panel: two 16-wide vectors.
let gemmPanelWidth = 32
/// Rows of B packed per panel, so a panel (32 KiB) stays in L1/L2 while A streams past it.
let gemmPanelDepth = 256
/// Floats of scratch `fastGemm` needs for its packed panel.
let gemmPackSize = gemmPanelWidth * gemmPanelDepth

/// `C[i][j] = (accumulate ? C[i][j] : 0) + sum over k of A[i][k] * B[k][j]`, where
/// `A[i][k] = a[i*aRow + k*aColumn]` and `B[k][j] = b[k*bRow + j*bColumn]`.
/// `pack` is scratch of `gemmPackSize` floats.
func fastGemm(
  m: Int, n: Int, k: Int,
  a: UnsafePointer<Float>, aRow: Int, aColumn: Int,
  b: UnsafePointer<Float>, bRow: Int, bColumn: Int,
  c: UnsafeMutablePointer<Float>, cRow: Int, accumulate: Bool,
  pack: UnsafeMutablePointer<Float>
) {
  if m == 0 || n == 0 { return }
  if k == 0 {
    if !accumulate { for i in 0..<m { (c + i * cRow).update(repeating: 0, count: n) } }
    return
  }
  for j0 in stride(from: 0, to: n, by: gemmPanelWidth) {
    let width = min(gemmPanelWidth, n - j0)
    for k0 in stride(from: 0, to: k, by: gemmPanelDepth) {
      let depth = min(gemmPanelDepth, k - k0)
      // Pack B[k0 ..< k0+depth][j0 ..< j0+width] row by row, zeros past the right edge.
      for kk in 0..<depth {
        let src = b + (k0 + kk) * bRow + j0 * bColumn
        let dst = pack + kk * gemmPanelWidth
        if bColumn == 1 {
          dst.update(from: src, count: width)
        } else {
          for jj in 0..<width { dst[jj] = src[jj * bColumn] }
        }
        if width < gemmPanelWidth { (dst + width).update(repeating: 0, count: gemmPanelWidth - width) }
      }
      let add = accumulate || k0 > 0
      var i = 0
      while i + 6 <= m {
        gemmTile6(
          a: a + i * aRow + k0 * aColumn, aRow: aRow, aColumn: aColumn, panel: pack, depth: depth,
          c: c + i * cRow + j0, cRow: cRow, width: width, add: add)
        i += 6
      }
      while i < m {
        gemmTile1(
          a: a + i * aRow + k0 * aColumn, aColumn: aColumn, panel: pack, depth: depth,
          c: c + i * cRow + j0, width: width, add: add)
        i += 1
      }
    }
  }
}

/// Six rows of C by one 32-wide panel: 12 accumulators.
@inline(__always)
private func gemmTile6(
  a: UnsafePointer<Float>, aRow: Int, aColumn: Int, panel: UnsafePointer<Float>, depth: Int,
  c: UnsafeMutablePointer<Float>, cRow: Int, width: Int, add: Bool
) {
  var c00 = SIMD16<Float>(), c01 = SIMD16<Float>(), c10 = SIMD16<Float>(), c11 = SIMD16<Float>()
  var c20 = SIMD16<Float>(), c21 = SIMD16<Float>(), c30 = SIMD16<Float>(), c31 = SIMD16<Float>()
  var c40 = SIMD16<Float>(), c41 = SIMD16<Float>(), c50 = SIMD16<Float>(), c51 = SIMD16<Float>()
  let a0 = a, a1 = a + aRow, a2 = a + 2 * aRow, a3 = a + 3 * aRow, a4 = a + 4 * aRow
  let a5 = a + 5 * aRow
  var p = panel
  var ka = 0
  for _ in 0..<depth {
    let b0 = load16(p), b1 = load16(p + 16)
    var s = splat(a0[ka]); fma(&c00, s, b0); fma(&c01, s, b1)
    s = splat(a1[ka]); fma(&c10, s, b0); fma(&c11, s, b1)
    s = splat(a2[ka]); fma(&c20, s, b0); fma(&c21, s, b1)
    s = splat(a3[ka]); fma(&c30, s, b0); fma(&c31, s, b1)
    s = splat(a4[ka]); fma(&c40, s, b0); fma(&c41, s, b1)
    s = splat(a5[ka]); fma(&c50, s, b0); fma(&c51, s, b1)
    p += gemmPanelWidth
    ka += aColumn
  }
  gemmStore(c00, c01, c, width: width, add: add)
  gemmStore(c10, c11, c + cRow, width: width, add: add)
  gemmStore(c20, c21, c + 2 * cRow, width: width, add: add)
  gemmStore(c30, c31, c + 3 * cRow, width: width, add: add)
  gemmStore(c40, c41, c + 4 * cRow, width: width, add: add)
  gemmStore(c50, c51, c + 5 * cRow, width: width, add: add)
}

/// One row of C by one panel, for the rows left over.
@inline(__always)
private func gemmTile1(
  a: UnsafePointer<Float>, aColumn: Int, panel: UnsafePointer<Float>, depth: Int,
  c: UnsafeMutablePointer<Float>, width: Int, add: Bool
) {
  var x0 = SIMD16<Float>(), x1 = SIMD16<Float>(), y0 = SIMD16<Float>(), y1 = SIMD16<Float>()
  var p = panel
  var ka = 0
  var kk = 0
  while kk + 2 <= depth {  // two independent chains hide the add latency
    let s = splat(a[ka]), t = splat(a[ka + aColumn])
    fma(&x0, s, load16(p)); fma(&x1, s, load16(p + 16))
    fma(&y0, t, load16(p + gemmPanelWidth)); fma(&y1, t, load16(p + gemmPanelWidth + 16))
    p += 2 * gemmPanelWidth
    ka += 2 * aColumn
    kk += 2
  }
  if kk < depth {
    let s = splat(a[ka])
    fma(&x0, s, load16(p)); fma(&x1, s, load16(p + 16))
  }
  gemmStore(x0 + y0, x1 + y1, c, width: width, add: add)
}

@inline(__always)
private func gemmStore(
  _ v0: SIMD16<Float>, _ v1: SIMD16<Float>, _ c: UnsafeMutablePointer<Float>, width: Int,
  add: Bool
) {
  if width == gemmPanelWidth {
    if add {
      store16(load16(c) + v0, c)
      store16(load16(c + 16) + v1, c + 16)
    } else {
      store16(v0, c)
      store16(v1, c + 16)
    }
  } else {
    for j in 0..<width {
      let v = j < 16 ? v0[j] : v1[j - 16]
      c[j] = add ? c[j] + v : v
    }
  }
}
