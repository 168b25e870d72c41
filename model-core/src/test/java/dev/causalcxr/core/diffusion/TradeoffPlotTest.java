package dev.causalcxr.core.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TradeoffPlotTest {

    @Test
    void writesAReadablePngWithBothSeries(@TempDir Path dir) throws Exception {
        List<DiffusionMetrics.TradeoffPoint> points = List.of(
                new DiffusionMetrics.TradeoffPoint(0f, 0.3, 5.0),
                new DiffusionMetrics.TradeoffPoint(1f, 0.8, 2.0),
                new DiffusionMetrics.TradeoffPoint(3f, 0.97, 1.2));
        Path png = dir.resolve("tradeoff.png");
        TradeoffPlot.write(points, "Pleural Effusion: guidance trade-off", png);
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(720, image.getWidth());
        assertEquals(440, image.getHeight());
        int blue = 0;
        int orange = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y) & 0xFFFFFF;
                blue += rgb == 0x1F77B4 ? 1 : 0;
                orange += rgb == 0xFF7F0E ? 1 : 0;
            }
        }
        assertNotEquals(0, blue);
        assertNotEquals(0, orange);
        assertEquals(6.0, TradeoffPlot.niceCeiling(5.01));
        assertEquals(0.25, TradeoffPlot.niceCeiling(0.21), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> TradeoffPlot.render(List.of(), "x"));
    }
}
