package dev.causalcxr.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * The one place a command words a file it cannot read or create: {@code cannot read the spec x.yaml: no such file}.
 * The JDK's file exceptions say only the path ({@link NoSuchFileException#getMessage()} is the path itself), so the
 * reason is spelled out from the exception's kind, and the path is named again only when it is another one (a parent).
 */
final class FileErrors {
    private FileErrors() {}

    /** {@code what + " " + path + ": " + why}, e.g. {@code cannot create the data folder F: it is a file, not a folder}. */
    static String cannot(String what, Path path, IOException e) {
        return what + " " + path + ": " + reason(path, e);
    }

    /** Why the file at {@code path} could not be used. */
    static String reason(Path path, IOException e) {
        if (!(e instanceof FileSystemException fs)) {
            return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        String why;
        if (e instanceof NoSuchFileException) {
            why = "no such file";
        } else if (e instanceof FileAlreadyExistsException) {
            // what creating a folder says when a file has the name
            why = fs.getFile() != null && Files.isDirectory(Path.of(fs.getFile()))
                    ? "already exists"
                    : "it is a file, not a folder";
        } else if (e instanceof NotDirectoryException) {
            why = "not a folder";
        } else if (e instanceof AccessDeniedException) {
            why = "permission denied";
        } else {
            why = fs.getReason() != null ? lowerFirst(fs.getReason()) : fs.getMessage();
        }
        boolean samePath = fs.getFile() == null
                || Path.of(fs.getFile())
                        .toAbsolutePath()
                        .normalize()
                        .equals(path.toAbsolutePath().normalize());
        return samePath ? why : fs.getFile() + ": " + why;
    }

    private static String lowerFirst(String s) {
        return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
}
