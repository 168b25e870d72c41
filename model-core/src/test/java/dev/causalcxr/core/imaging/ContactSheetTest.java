package dev.causalcxr.core.imaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContactSheetTest {

    @Test
    void writesAGridWithLabelsAsPng(@TempDir Path dir) throws Exception {
        ContactSheet.Builder b = ContactSheet.builder().cellSize(32).columns(3);
        for (int i = 0; i < 5; i++) {
            b.add(TestImages.gradient(50, 40, i), "img " + i);
        }
        ContactSheet sheet = b.build();
        Path png = dir.resolve("sheet.png");
        sheet.writePng(png);
        GrayImage back = ImageCodec.read(png);
        assertEquals(sheet.width(), back.width());
        assertEquals(sheet.height(), back.height());
        assertEquals(2 + 3 * 34, sheet.width());
        // label pixels are drawn in the strip under the first cell
        boolean label = false;
        for (int x = 2; x < 34; x++) {
            for (int y = 35; y < 45; y++) {
                label |= back.get(x, y) > 200 * 257;
            }
        }
        assertTrue(label, "label strip should contain text");
    }
}
