package dev.causalcxr.core.evaluation;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** The downstream pictures: confusion matrices (real vs augmented) and per-class recall bars, drawn with Java2D. */
public final class EvaluationCharts {

    static {
        // servers have no display; Java2D draws into images without one
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private static final Color REAL_COLOR = new Color(0x1f, 0x77, 0xb4);
    private static final Color AUGMENTED_COLOR = new Color(0xff, 0x7f, 0x0e);
    private static final Color TAIL_COLOR = new Color(0xb0, 0x20, 0x20);
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 16);
    private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    private static final Font SMALL = new Font(Font.SANS_SERIF, Font.PLAIN, 12);

    private EvaluationCharts() {}

    /**
     * Two confusion matrices side by side (real, augmented), summed over seeds: cells show counts,
     * shaded by the row-normalized fraction (the recall on the diagonal).
     */
    public static void confusionMatrices(DownstreamResult result, Path file) throws IOException {
        List<String> labels = decorated(result);
        int k = labels.size();
        int cell = Math.max(40, Math.min(64, 560 / k));
        int left = 200;
        int top = 80;
        int matrix = cell * k;
        int bottom = 190;
        int panel = left + matrix + 30;
        int width = (result.hasAugmented() ? 2 : 1) * panel + 20;
        int height = top + matrix + bottom;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(image);
        g.setFont(TITLE);
        g.drawString(
                "Confusion matrices on the real test split (summed over "
                        + result.seeds().size() + " seed" + (result.seeds().size() == 1 ? "" : "s")
                        + "; shade = row fraction)",
                20,
                28);
        drawConfusion(g, result.real(), labels, result.tailClasses(), 0, top, left, cell);
        if (result.hasAugmented()) {
            drawConfusion(g, result.augmented(), labels, result.tailClasses(), panel, top, left, cell);
        }
        g.dispose();
        write(image, file);
    }

    private static void drawConfusion(
            Graphics2D g,
            DownstreamArmResult arm,
            List<String> labels,
            java.util.Set<Integer> tail,
            int x0,
            int top,
            int left,
            int cell) {
        int k = labels.size();
        int mx = x0 + left;
        g.setFont(TITLE);
        g.setColor(Color.BLACK);
        String title = arm.arm().equals(DownstreamEvaluation.REAL) ? "real only" : "real + augmentation";
        g.drawString(title, mx, top - 14);
        for (int t = 0; t < k; t++) {
            int rowTotal = 0;
            for (int p = 0; p < k; p++) {
                rowTotal += arm.confusion()[t][p];
            }
            for (int p = 0; p < k; p++) {
                int count = arm.confusion()[t][p];
                double fraction = rowTotal == 0 ? 0.0 : (double) count / rowTotal;
                int shade = (int) Math.round(255 * (1 - fraction));
                g.setColor(new Color(shade, (int) Math.round(255 - 120 * fraction), 255));
                g.fillRect(mx + p * cell, top + t * cell, cell, cell);
                g.setColor(Color.GRAY);
                g.drawRect(mx + p * cell, top + t * cell, cell, cell);
                g.setColor(fraction > 0.55 ? Color.WHITE : Color.BLACK);
                g.setFont(SMALL);
                centered(g, Integer.toString(count), mx + p * cell + cell / 2, top + t * cell + cell / 2 + 5);
            }
        }
        g.setFont(LABEL);
        FontMetrics metrics = g.getFontMetrics();
        for (int i = 0; i < k; i++) {
            g.setColor(tail.contains(i) ? TAIL_COLOR : Color.BLACK);
            String label = labels.get(i);
            g.drawString(label, mx - 8 - metrics.stringWidth(label), top + i * cell + cell / 2 + 5);
            rotated(g, label, mx + i * cell + cell / 2 + 4, top + k * cell + 14);
        }
        g.setColor(Color.BLACK);
        g.drawString("rows: true class, columns: predicted class", mx, top + k * cell + 180);
    }

    /** Grouped bars of per-class recall (mean over seeds, with ± std whiskers), real against augmented. */
    public static void recallBars(DownstreamResult result, Path file) throws IOException {
        List<String> labels = decorated(result);
        int k = labels.size();
        int group = 84;
        int left = 170;
        int top = 90;
        int plot = 300;
        int bottom = 150;
        // wide enough for the title and the legend also with few classes
        int width = Math.max(left + k * group + 40, 720);
        int height = top + plot + bottom;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(image);
        g.setFont(TITLE);
        g.drawString(
                "Per-class recall on the real test split (mean \u00b1 std over "
                        + result.seeds().size() + " seed" + (result.seeds().size() == 1 ? "" : "s") + ")",
                20,
                28);
        g.setFont(SMALL);
        for (int tick = 0; tick <= 4; tick++) {
            double value = tick / 4.0;
            int y = top + plot - (int) Math.round(value * plot);
            g.setColor(new Color(0xdd, 0xdd, 0xdd));
            g.drawLine(left, y, left + k * group, y);
            g.setColor(Color.BLACK);
            String text = String.format(Locale.ROOT, "%.2f", value);
            g.drawString(text, left - 8 - g.getFontMetrics().stringWidth(text), y + 4);
        }
        rotatedVertical(g, "recall", left - 52, top + plot / 2 + 20);
        int bar = 30;
        for (int c = 0; c < k; c++) {
            int gx = left + c * group + (group - 2 * bar) / 2;
            drawBar(g, result.real().recall().get(c), gx, bar, top, plot, REAL_COLOR);
            if (result.hasAugmented()) {
                drawBar(g, result.augmented().recall().get(c), gx + bar, bar, top, plot, AUGMENTED_COLOR);
            }
            g.setFont(LABEL);
            g.setColor(result.tailClasses().contains(c) ? TAIL_COLOR : Color.BLACK);
            rotated(g, labels.get(c), left + c * group + group / 2 + 4, top + plot + 14);
        }
        g.setColor(Color.BLACK);
        g.drawLine(left, top + plot, left + k * group, top + plot);
        g.drawLine(left, top, left, top + plot);
        int legendX = width - 230;
        legend(g, legendX, 46, REAL_COLOR, "real only");
        if (result.hasAugmented()) {
            legend(g, legendX + 100, 46, AUGMENTED_COLOR, "real + augm.");
        }
        g.dispose();
        write(image, file);
    }

    private static void drawBar(Graphics2D g, MeanStd recall, int x, int width, int top, int plot, Color color) {
        if (Double.isNaN(recall.mean())) {
            g.setColor(Color.GRAY);
            g.setFont(SMALL);
            centered(g, "n/a", x + width / 2, top + plot - 4);
            return;
        }
        int h = (int) Math.round(recall.mean() * plot);
        g.setColor(color);
        g.fillRect(x + 2, top + plot - h, width - 4, h);
        if (recall.std() > 0) {
            int yHigh = top + plot - (int) Math.round(Math.min(1, recall.mean() + recall.std()) * plot);
            int yLow = top + plot - (int) Math.round(Math.max(0, recall.mean() - recall.std()) * plot);
            g.setColor(Color.BLACK);
            g.drawLine(x + width / 2, yHigh, x + width / 2, yLow);
            g.drawLine(x + width / 2 - 4, yHigh, x + width / 2 + 4, yHigh);
            g.drawLine(x + width / 2 - 4, yLow, x + width / 2 + 4, yLow);
        }
        g.setColor(Color.BLACK);
        g.setFont(SMALL);
        // the value goes above the whisker so the two never overlap
        int labelBase = top + plot - (int) Math.round(Math.min(1, recall.mean() + recall.std()) * plot) - 4;
        centered(g, String.format(Locale.ROOT, "%.2f", recall.mean()), x + width / 2, labelBase);
    }

    private static void legend(Graphics2D g, int x, int y, Color color, String text) {
        g.setColor(color);
        g.fillRect(x, y - 11, 14, 14);
        g.setColor(Color.BLACK);
        g.setFont(LABEL);
        g.drawString(text, x + 18, y + 1);
    }

    /** Class labels with a "(tail)" mark. */
    private static List<String> decorated(DownstreamResult result) {
        List<String> labels = new java.util.ArrayList<>();
        for (int c = 0; c < result.classLabels().size(); c++) {
            labels.add(result.classLabels().get(c) + (result.tailClasses().contains(c) ? " (tail)" : ""));
        }
        return labels;
    }

    private static Graphics2D canvas(BufferedImage image) {
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1f));
        return g;
    }

    private static void centered(Graphics2D g, String text, int cx, int baseline) {
        g.drawString(text, cx - g.getFontMetrics().stringWidth(text) / 2, baseline);
    }

    /** Text at 45° that ends at (x, y) and runs down-left from there, for labels under columns. */
    private static void rotated(Graphics2D g, String text, int x, int y) {
        AffineTransform saved = g.getTransform();
        g.translate(x, y);
        g.rotate(-Math.PI / 4);
        g.drawString(text, -g.getFontMetrics().stringWidth(text), 0);
        g.setTransform(saved);
    }

    private static void rotatedVertical(Graphics2D g, String text, int x, int y) {
        AffineTransform saved = g.getTransform();
        g.translate(x, y);
        g.rotate(-Math.PI / 2);
        g.drawString(text, 0, 0);
        g.setTransform(saved);
    }

    private static void write(BufferedImage image, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException("no PNG writer for " + file);
        }
    }
}
