package dev.causalcxr.core.imaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageCodecTest {

    @Test
    void sixteenBitPngRoundTripsExactly(@TempDir Path dir) throws Exception {
        GrayImage img = TestImages.gradient(37, 23, 1);
        Path file = dir.resolve("a.png");
        ImageCodec.writePng16(img, file);
        GrayImage back = ImageCodec.read(file);
        assertEquals(img, back);
        assertEquals(img.pixelDigest(), back.pixelDigest());
    }

    @Test
    void eightBitGrayPngWidensTo16Bit() throws Exception {
        BufferedImage g8 = TestImages.gray8(10, 8, 3);
        GrayImage img = ImageCodec.decode(TestImages.encode(g8, "png"));
        assertEquals(g8.getRaster().getSample(4, 5, 0) * 257, img.get(4, 5));
    }

    @Test
    void rgbImagesBecomeGray() throws Exception {
        BufferedImage rgb = TestImages.rgb(12, 9, 5);
        GrayImage img = ImageCodec.decode(TestImages.encode(rgb, "png"));
        int v = rgb.getRGB(3, 4) & 0xFF;
        assertEquals(v * 257, img.get(3, 4), 257);
    }

    @Test
    void paletteAndSixteenBitColourPngsBecomeGray() throws Exception {
        BufferedImage indexed = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_INDEXED);
        indexed.setRGB(2, 3, 0xFFFFFF);
        GrayImage a = ImageCodec.decode(TestImages.encode(indexed, "png"));
        assertEquals(0xFFFF, a.get(2, 3));
        assertEquals(0, a.get(0, 0));

        java.awt.image.ComponentColorModel cm = new java.awt.image.ComponentColorModel(
                java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_sRGB),
                false,
                false,
                java.awt.Transparency.OPAQUE,
                java.awt.image.DataBuffer.TYPE_USHORT);
        BufferedImage rgb16 = new BufferedImage(cm, cm.createCompatibleWritableRaster(6, 6), false, null);
        for (int b = 0; b < 3; b++) {
            rgb16.getRaster().setSample(1, 1, b, 40000);
        }
        GrayImage g = ImageCodec.decode(TestImages.encode(rgb16, "png"));
        assertEquals(40000, g.get(1, 1), 2);
    }

    @Test
    void completeJpegDecodes() throws Exception {
        GrayImage img = ImageCodec.decode(TestImages.jpeg(64, 48, 0));
        assertEquals(64, img.width());
        assertEquals(48, img.height());
    }

    @Test
    void truncatedJpegIsRejectedNotSilentlyGreyFilled() throws Exception {
        byte[] jpg = TestImages.jpeg(128, 128, 9);
        ImageDecodeException e =
                assertThrows(ImageDecodeException.class, () -> ImageCodec.decode(TestImages.truncate(jpg, 0.6)));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void truncatedPngIsRejected() throws Exception {
        byte[] png = ImageCodec.encodePng16(TestImages.gradient(64, 64, 2));
        assertThrows(ImageDecodeException.class, () -> ImageCodec.decode(TestImages.truncate(png, 0.7)));
        // only the final IEND chunk cut off: ImageIO alone would still decode this
        assertThrows(
                ImageDecodeException.class, () -> ImageCodec.decode(TestImages.truncate(png, 1.0 - 12.0 / png.length)));
    }

    @Test
    void corruptPngChunkIsRejected() throws Exception {
        byte[] png = ImageCodec.encodePng16(TestImages.gradient(32, 32, 4));
        png[png.length / 2] ^= 0x5A;
        assertThrows(ImageDecodeException.class, () -> ImageCodec.decode(png));
    }

    @Test
    void nonImageBytesAreRejected(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("x.png");
        Files.writeString(f, "this is not an image");
        assertThrows(ImageDecodeException.class, () -> ImageCodec.read(f));
        assertThrows(ImageDecodeException.class, () -> ImageCodec.decode(new byte[0]));
    }
}
