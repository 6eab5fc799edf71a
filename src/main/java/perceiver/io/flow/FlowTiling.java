package perceiver.io.flow;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import perceiver.io.Progress;
import perceiver.tensor.Tensor;

/**
 * Optical flow for frames larger than the model's training size, as in DeepMind's optical-flow colab
 * ({@code compute_grid_indices} / {@code compute_optical_flow}, deepmind-research/perceiver/colabs): the frame is
 * covered by tiles of exactly the training size, starting every {@code tile - minOverlap} pixels (minimum overlap 20
 * in the colab) with the last tile flush with the border; each tile's flow is weighted by
 * {@code min(x + 1, W - x, y + 1, H - y)} (tile coordinates, so tile borders count little) and the weighted flows are
 * normalised by the summed weights. Unlike the colab, duplicate tile origins (e.g. when the frame is exactly the
 * training size) are dropped, which does not change the blend, and no tile ever reaches past the border (see
 * {@link #tiles}).
 */
public final class FlowTiling {
    /** Default minimum overlap of neighbouring tiles (DeepMind's colab). */
    public static final int MIN_OVERLAP = 20;

    /**
     * The minimum overlap {@link #flow} uses: {@link #MIN_OVERLAP}, or half the smaller tile side for tiles under 40
     * pixels a side (small test models; the colab's 20 would leave no stride).
     */
    public static int minOverlap(int tileHeight, int tileWidth) {
        return Math.min(MIN_OVERLAP, Math.min(tileHeight, tileWidth) / 2);
    }

    private FlowTiling() {}

    /** A tile's top-left corner in the frame. */
    public record Tile(int y, int x) {}

    /**
     * Tile origins covering an {@code height x width} frame with {@code tileHeight x tileWidth} tiles.
     *
     * @return origins in row-major order; every pixel lies in at least one tile
     * @throws IllegalArgumentException if the frame is smaller than a tile or the overlap is not smaller than a tile
     */
    public static List<Tile> tiles(int height, int width, int tileHeight, int tileWidth, int minOverlap) {
        if (tileHeight < 1 || tileWidth < 1) throw new IllegalArgumentException("tile size must be positive");
        if (minOverlap < 0 || minOverlap >= tileHeight || minOverlap >= tileWidth) {
            throw new IllegalArgumentException("minimum overlap " + minOverlap + " must be in [0, tile size "
                    + tileHeight + "x" + tileWidth + ")");
        }
        if (height < tileHeight || width < tileWidth) {
            throw new IllegalArgumentException("frame " + height + "x" + width + " (HxW) is smaller than the model's training size "
                    + tileHeight + "x" + tileWidth + "; optical flow needs frames at least that large");
        }
        List<Tile> out = new ArrayList<>();
        for (int y : starts(height, tileHeight, minOverlap)) {
            for (int x : starts(width, tileWidth, minOverlap)) out.add(new Tile(y, x));
        }
        return out;
    }

    /**
     * Starts {@code 0, s, 2s, ...} (s = tile - overlap) while the tile ends before the border, then the flush start
     * {@code size - tile}; sorted, unique. Neighbours overlap by at least {@code overlap}. This is the set of
     * DeepMind's {@code compute_grid_indices} ({@code range(0, size, s)} with the last entry replaced by
     * {@code size - tile}) wherever that grid is valid; for some sizes (e.g. 710 with tile 368) DeepMind's grid
     * contains a tile reaching past the border, which this never does.
     */
    private static TreeSet<Integer> starts(int size, int tile, int overlap) {
        TreeSet<Integer> s = new TreeSet<>();
        for (int v = 0; v + tile < size; v += tile - overlap) s.add(v);
        s.add(size - tile);
        return s;
    }

    /**
     * Blend weights of one tile.
     *
     * @return {@code [tileHeight, tileWidth]}, {@code w[y, x] = min(x + 1, W - x, y + 1, H - y)} (all >= 1)
     */
    public static Tensor weights(int tileHeight, int tileWidth) {
        float[] w = new float[tileHeight * tileWidth];
        for (int y = 0; y < tileHeight; y++) {
            for (int x = 0; x < tileWidth; x++) {
                w[y * tileWidth + x] = Math.min(Math.min(x + 1, tileWidth - x), Math.min(y + 1, tileHeight - y));
            }
        }
        return Tensor.of(w, tileHeight, tileWidth);
    }

    /**
     * The part of a frame under a tile.
     *
     * @param frame {@code [C, H, W]}
     * @return {@code [C, tileHeight, tileWidth]}
     */
    public static Tensor crop(Tensor frame, Tile tile, int tileHeight, int tileWidth) {
        if (frame.rank() != 3) throw new IllegalArgumentException("frame must be [C, H, W], got " + frame);
        int c = frame.dim(0), h = frame.dim(1), w = frame.dim(2);
        if (tile.y() < 0 || tile.x() < 0 || tile.y() + tileHeight > h || tile.x() + tileWidth > w) {
            throw new IllegalArgumentException("tile at " + tile + " of " + tileHeight + "x" + tileWidth + " outside frame " + frame);
        }
        float[] out = new float[c * tileHeight * tileWidth];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < tileHeight; y++) {
                System.arraycopy(frame.data(), frame.offset() + (ch * h + tile.y() + y) * w + tile.x(), out,
                        (ch * tileHeight + y) * tileWidth, tileWidth);
            }
        }
        return Tensor.of(out, c, tileHeight, tileWidth);
    }

    /**
     * Weighted average of per-tile fields (accumulated in double).
     *
     * @param tileFields one {@code [tileHeight, tileWidth, C]} field per tile, in the order of {@code tiles}
     * @return {@code [height, width, C]}
     */
    public static Tensor blend(int height, int width, List<Tile> tiles, List<Tensor> tileFields) {
        if (tiles.size() != tileFields.size() || tiles.isEmpty()) {
            throw new IllegalArgumentException(tiles.size() + " tiles but " + tileFields.size() + " tile fields");
        }
        Tensor first = tileFields.get(0);
        if (first.rank() != 3) throw new IllegalArgumentException("tile field must be [tileH, tileW, C], got " + first);
        int th = first.dim(0), tw = first.dim(1), c = first.dim(2);
        float[] w = weights(th, tw).data();
        double[] sum = new double[height * width * c];
        double[] count = new double[height * width];
        for (int i = 0; i < tiles.size(); i++) {
            Tensor f = tileFields.get(i);
            Tile t = tiles.get(i);
            if (!f.hasShape(th, tw, c)) throw new IllegalArgumentException("tile field " + i + " is " + f + ", expected [" + th + ", " + tw + ", " + c + "]");
            if (t.y() < 0 || t.x() < 0 || t.y() + th > height || t.x() + tw > width) {
                throw new IllegalArgumentException("tile " + t + " of " + th + "x" + tw + " outside " + height + "x" + width);
            }
            for (int y = 0; y < th; y++) {
                for (int x = 0; x < tw; x++) {
                    double wt = w[y * tw + x];
                    int p = (t.y() + y) * width + t.x() + x;
                    count[p] += wt;
                    for (int ch = 0; ch < c; ch++) sum[p * c + ch] += wt * f.data()[f.offset() + (y * tw + x) * c + ch];
                }
            }
        }
        float[] out = new float[sum.length];
        for (int p = 0; p < count.length; p++) {
            if (count[p] == 0) throw new IllegalArgumentException("pixel (" + p / width + ", " + p % width + ") is covered by no tile");
            for (int ch = 0; ch < c; ch++) out[p * c + ch] = (float) (sum[p * c + ch] / count[p]);
        }
        return Tensor.of(out, height, width, c);
    }

    /**
     * Tiled flow of a frame pair (tiles overlapping by at least {@link #minOverlap}): for each tile, the tile crops of both frames are turned into the model input
     * ({@link FlowInput#modelInput}, patches extracted per tile with zero padding at the tile border, as DeepMind's
     * model does internally), passed to {@code model} in batches of at most {@code batchSize} tiles, and the
     * predicted flows are blended.
     *
     * @param frame1 {@code [3, H, W]} in [-1, 1]
     * @param frame2 {@code [3, H, W]} in [-1, 1]
     * @param model  maps {@code [n, 2, 27, tileH, tileW]} to flows {@code [n, tileH, tileW, 2]}
     * @return flow {@code [H, W, 2]} (u = x displacement, v = y displacement, pixels)
     */
    public static Tensor flow(Tensor frame1, Tensor frame2, int tileHeight, int tileWidth, int batchSize,
                              UnaryOperator<Tensor> model, Progress progress) {
        if (!frame1.hasShape(frame2.shape()) || frame1.rank() != 3 || frame1.dim(0) != 3) {
            throw new IllegalArgumentException("frames must be two [3, H, W] of the same size, got " + frame1 + " and " + frame2);
        }
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        int h = frame1.dim(1), w = frame1.dim(2);
        List<Tile> tiles = tiles(h, w, tileHeight, tileWidth, minOverlap(tileHeight, tileWidth));
        List<Tensor> fields = new ArrayList<>();
        for (int from = 0; from < tiles.size(); from += batchSize) {
            int n = Math.min(batchSize, tiles.size() - from);
            Tensor pairs = Tensor.zeros(n, 2, 3, tileHeight, tileWidth);
            for (int i = 0; i < n; i++) {
                Tile t = tiles.get(from + i);
                pairs.get(i).get(0).copyFrom(crop(frame1, t, tileHeight, tileWidth));
                pairs.get(i).get(1).copyFrom(crop(frame2, t, tileHeight, tileWidth));
            }
            Tensor flows = model.apply(FlowInput.modelInput(pairs));
            if (!flows.hasShape(n, tileHeight, tileWidth, 2)) {
                throw new IllegalStateException("flow model returned " + flows + ", expected [" + n + ", " + tileHeight
                        + ", " + tileWidth + ", 2]");
            }
            for (int i = 0; i < n; i++) fields.add(flows.get(i));
            progress.done(from + n, tiles.size());
        }
        return blend(h, w, tiles, fields);
    }
}
