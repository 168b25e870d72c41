package dev.causalcxr.core.diffusion;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;

/**
 * The guidance-scale trade-off as a PNG line plot: guidance scale on x, effectiveness (left axis,
 * 0–1, blue) and diversity (right axis, 0–max, orange) on y. Plain java.awt: no plotting library.
 */
public final class TradeoffPlot {
    private static final int WIDTH = 720;
    private static final int HEIGHT = 440;
    private static final int LEFT = 80;
    private static final int RIGHT = 80;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;
    private static final Color EFFECTIVENESS = new Color(31, 119, 180);
    private static final Color DIVERSITY = new Color(255, 127, 14);
    private static final int TICKS = 5;

    private TradeoffPlot() {}

    public static BufferedImage render(List<DiffusionMetrics.TradeoffPoint> points, String title) {
        if (points.isEmpty()) {
            throw new IllegalArgumentException("nothing to plot");
        }
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            double xMin = points.stream()
                    .mapToDouble(DiffusionMetrics.TradeoffPoint::guidance)
                    .min()
                    .orElse(0);
            double xMax = points.stream()
                    .mapToDouble(DiffusionMetrics.TradeoffPoint::guidance)
                    .max()
                    .orElse(1);
            if (xMax <= xMin) {
                xMax = xMin + 1;
            }
            double diversityMax = niceCeiling(points.stream()
                    .mapToDouble(DiffusionMetrics.TradeoffPoint::diversity)
                    .max()
                    .orElse(1));
            int plotW = WIDTH - LEFT - RIGHT;
            int plotH = HEIGHT - TOP - BOTTOM;

            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            FontMetrics fm = g.getFontMetrics();
            // grid, ticks and tick labels of both y axes
            for (int i = 0; i <= TICKS; i++) {
                int y = TOP + plotH - plotH * i / TICKS;
                g.setColor(new Color(230, 230, 230));
                g.drawLine(LEFT, y, LEFT + plotW, y);
                g.setColor(EFFECTIVENESS);
                String left = String.format(Locale.ROOT, "%.1f", (double) i / TICKS);
                g.drawString(left, LEFT - 8 - fm.stringWidth(left), y + 4);
                g.setColor(DIVERSITY);
                g.drawString(String.format(Locale.ROOT, "%.2f", diversityMax * i / TICKS), LEFT + plotW + 8, y + 4);
            }
            g.setColor(Color.DARK_GRAY);
            for (DiffusionMetrics.TradeoffPoint p : points) {
                int x = LEFT + (int) Math.round((p.guidance() - xMin) / (xMax - xMin) * plotW);
                g.drawLine(x, TOP + plotH, x, TOP + plotH + 5);
                String label = new java.math.BigDecimal(Float.toString(p.guidance()))
                        .stripTrailingZeros()
                        .toPlainString();
                g.drawString(label, x - fm.stringWidth(label) / 2, TOP + plotH + 18);
            }
            g.setStroke(new BasicStroke(1.2f));
            g.drawRect(LEFT, TOP, plotW, plotH);

            final double x0 = xMin;
            final double xSpan = xMax - xMin;
            series(g, points, p -> p.effectiveness(), 1.0, EFFECTIVENESS, x0, xSpan, plotW, plotH);
            series(g, points, p -> p.diversity(), diversityMax, DIVERSITY, x0, xSpan, plotW, plotH);

            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
            g.drawString(title, LEFT, TOP - 20);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            fm = g.getFontMetrics();
            String xLabel = "guidance scale g";
            g.drawString(xLabel, LEFT + plotW / 2 - fm.stringWidth(xLabel) / 2, HEIGHT - 18);
            verticalLabel(g, "effectiveness (target probability)", 22, TOP + plotH / 2, EFFECTIVENESS);
            verticalLabel(g, "diversity (mean pairwise distance)", WIDTH - 14, TOP + plotH / 2, DIVERSITY);
            legend(g, LEFT + plotW - 170, TOP + 10);
        } finally {
            g.dispose();
        }
        return image;
    }

    /** Renders and writes the plot (an artifact for the tracker). */
    public static void write(List<DiffusionMetrics.TradeoffPoint> points, String title, Path png) {
        try {
            Path parent = png.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            if (!ImageIO.write(render(points, title), "png", png.toFile())) {
                throw new IllegalStateException("no PNG writer available");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + png, e);
        }
    }

    private static void series(
            Graphics2D g,
            List<DiffusionMetrics.TradeoffPoint> points,
            ToDoubleFunction<DiffusionMetrics.TradeoffPoint> value,
            double yMax,
            Color color,
            double xMin,
            double xSpan,
            int plotW,
            int plotH) {
        g.setColor(color);
        g.setStroke(new BasicStroke(2.2f));
        int[] xs = new int[points.size()];
        int[] ys = new int[points.size()];
        for (int i = 0; i < points.size(); i++) {
            DiffusionMetrics.TradeoffPoint p = points.get(i);
            xs[i] = LEFT + (int) Math.round((p.guidance() - xMin) / xSpan * plotW);
            double v = Math.max(0, Math.min(yMax, value.applyAsDouble(p)));
            ys[i] = TOP + plotH - (int) Math.round(v / yMax * plotH);
        }
        g.drawPolyline(xs, ys, xs.length);
        for (int i = 0; i < xs.length; i++) {
            g.fillOval(xs[i] - 4, ys[i] - 4, 8, 8);
        }
    }

    private static void verticalLabel(Graphics2D g, String text, int x, int yCenter, Color color) {
        AffineTransform saved = g.getTransform();
        g.setColor(color);
        g.rotate(-Math.PI / 2, x, yCenter);
        g.drawString(text, x - g.getFontMetrics().stringWidth(text) / 2, yCenter);
        g.setTransform(saved);
    }

    private static void legend(Graphics2D g, int x, int y) {
        g.setColor(Color.WHITE);
        g.fillRect(x, y, 160, 44);
        g.setColor(Color.GRAY);
        g.drawRect(x, y, 160, 44);
        g.setStroke(new BasicStroke(2.2f));
        g.setColor(EFFECTIVENESS);
        g.drawLine(x + 8, y + 15, x + 30, y + 15);
        g.setColor(DIVERSITY);
        g.drawLine(x + 8, y + 33, x + 30, y + 33);
        g.setColor(Color.BLACK);
        g.drawString("effectiveness", x + 38, y + 19);
        g.drawString("diversity", x + 38, y + 37);
    }

    /** The smallest of 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 or 10 times a power of ten at or above v (a readable axis maximum). */
    static double niceCeiling(double v) {
        if (!(v > 0)) {
            return 1;
        }
        double power = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) {
            if (m * power >= v) {
                return m * power;
            }
        }
        return 10 * power;
    }
}
