package dev.causalcxr.core.evaluation;

import dev.causalcxr.core.imaging.GrayImage;
import dev.causalcxr.core.imaging.ImageCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** Reads every image file (.png, .jpg, .jpeg) under a folder, recursively, in sorted path order. */
public final class ImageFolders {

    private ImageFolders() {}

    public static boolean isImageFile(Path path) {
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(path) && (name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg"));
    }

    /** The image files under {@code folder}; fails clearly when it is missing, not a folder, or has none. */
    public static List<Path> list(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            throw new NoSuchFileException(folder.toString(), null, "no such folder");
        }
        if (!Files.isDirectory(folder)) {
            throw new NotDirectoryException(folder.toString());
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(folder)) {
            files = walk.filter(ImageFolders::isImageFile).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IOException(folder + ": no image files (.png, .jpg, .jpeg)");
        }
        return files;
    }

    public static List<GrayImage> read(Path folder) throws IOException {
        List<GrayImage> images = new ArrayList<>();
        for (Path file : list(folder)) {
            try {
                images.add(ImageCodec.read(file));
            } catch (IOException e) {
                throw new IOException(file + ": unreadable image: " + e.getMessage(), e);
            }
        }
        return images;
    }
}
