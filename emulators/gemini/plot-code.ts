/**
 * Python source for the "plot" template. Uses matplotlib when the sandbox has it; otherwise a tiny
 * pure-Python PNG writer (zlib + struct) draws axes and the curve, so a real image comes back
 * either way. `expr` must already be validated (digits, x, operators, parentheses only).
 */
export function plotCode(expr: string): string {
  return `def f(x):
    return ${expr}

xs = [-5 + i * 10 / 199 for i in range(200)]
ys = []
for x in xs:
    try:
        ys.append(float(f(x)))
    except (ZeroDivisionError, OverflowError, ValueError):
        ys.append(float('nan'))

try:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    plt.plot(xs, ys)
    plt.title('y = ${expr}')
    plt.savefig('plot.png')
    print('Saved plot.png (matplotlib)')
except ImportError:
    import struct, zlib
    W, H = 200, 150
    pixels = [[255] * W for _ in range(H)]
    good = [y for y in ys if y == y]
    lo, hi = (min(good), max(good)) if good else (0.0, 1.0)
    span = (hi - lo) or 1.0
    for c in range(W):
        pixels[H // 2][c] = 160
    for r in range(H):
        pixels[r][W // 2] = 160
    for c, y in enumerate(ys):
        if y == y:
            r = H - 1 - int((y - lo) / span * (H - 1))
            pixels[r][c] = 0
    raw = b''.join(b'\\x00' + bytes(row) for row in pixels)
    def chunk(kind, data):
        body = kind + data
        return struct.pack('>I', len(data)) + body + struct.pack('>I', zlib.crc32(body) & 0xffffffff)
    png = (b'\\x89PNG\\r\\n\\x1a\\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', W, H, 8, 0, 0, 0, 0))
           + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))
    with open('plot.png', 'wb') as fh:
        fh.write(png)
    print('Saved plot.png (%d bytes, pure-Python PNG writer)' % len(png))
`;
}
