package dev.causalcxr.core.imaging;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A grid of images with optional one-line labels, written as an 8-bit PNG: the picture a person
 * looks at to judge phantoms, reconstructions, code swaps and counterfactuals. Each image is
 * resized (area averaging) into a square cell; labels go in a strip under the cell.
 *
 * <pre>{@code
 * ContactSheet.builder().cellSize(128).columns(6)
 *     .add(image, "p1 s1").add(cf, "p1 s1 no effusion")
 *     .writePng(path);
 * }</pre>
 */
public final class ContactSheet {

    private static final int PAD = 2;

    private final int cellSize;
    private final int columns;
    private final boolean labels;
    private final List<GrayImage> images;
    private final List<String> captions;

    private ContactSheet(Builder b) {
        this.cellSize = b.cellSize;
        this.columns = b.columns;
        this.labels = b.captions.stream().anyMatch(c -> c != null && !c.isEmpty());
        this.images = List.copyOf(b.images);
        this.captions = new ArrayList<>(b.captions);
    }

    public static Builder builder() {
        return new Builder();
    }

    private int labelHeight() {
        return labels ? BitmapFont.GLYPH_HEIGHT + 4 : 0;
    }

    public int width() {
        int cols = Math.min(columns, Math.max(1, images.size()));
        return PAD + cols * (cellSize + PAD);
    }

    public int height() {
        int rows = Math.max(1, (images.size() + columns - 1) / columns);
        return PAD + rows * (cellSize + labelHeight() + PAD);
    }

    /** The sheet as row-major 8-bit gray pixels of {@link #width()} × {@link #height()}. */
    public byte[] render() {
        int w = width();
        int h = height();
        byte[] canvas = new byte[w * h];
        java.util.Arrays.fill(canvas, (byte) 24);
        for (int i = 0; i < images.size(); i++) {
            int cx = PAD + (i % columns) * (cellSize + PAD);
            int cy = PAD + (i / columns) * (cellSize + labelHeight() + PAD);
            GrayImage cell = Resampler.fitSquare(images.get(i), cellSize);
            byte[] px = cell.toBytes8();
            for (int y = 0; y < cellSize; y++) {
                System.arraycopy(px, y * cellSize, canvas, (cy + y) * w + cx, cellSize);
            }
            String caption = captions.get(i);
            if (labels && caption != null && !caption.isEmpty()) {
                BitmapFont.draw(canvas, w, h, cx + 1, cy + cellSize + 2, caption, cellSize - 1, (byte) 235);
            }
        }
        return canvas;
    }

    public byte[] encodePng() {
        return ImageCodec.encodePng8(width(), height(), render());
    }

    public void writePng(Path file) throws IOException {
        ImageCodec.writeAtomically(file, encodePng());
    }

    public static final class Builder {
        private int cellSize = 128;
        private int columns = 8;
        private final List<GrayImage> images = new ArrayList<>();
        private final List<String> captions = new ArrayList<>();

        /** Edge length of each square cell in pixels (16..1024). */
        public Builder cellSize(int px) {
            if (px < 16 || px > 1024) {
                throw new IllegalArgumentException("cellSize must be in 16..1024: " + px);
            }
            this.cellSize = px;
            return this;
        }

        public Builder columns(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("columns must be >= 1: " + n);
            }
            this.columns = n;
            return this;
        }

        public Builder add(GrayImage image) {
            return add(image, null);
        }

        /** Adds a cell; {@code label} may be null. Labels are upper-cased ASCII, clipped to the cell. */
        public Builder add(GrayImage image, String label) {
            images.add(Objects.requireNonNull(image, "image"));
            captions.add(label);
            return this;
        }

        public ContactSheet build() {
            if (images.isEmpty()) {
                throw new IllegalStateException("a contact sheet needs at least one image");
            }
            return new ContactSheet(this);
        }

        public void writePng(Path file) throws IOException {
            build().writePng(file);
        }
    }
}
