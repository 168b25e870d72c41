package dev.causalcxr.core.imaging;

import java.io.IOException;

/**
 * An image file that cannot be decoded completely: unknown format, corrupt or truncated data.
 * The message names the problem only, never file contents, so it is safe to log and to report.
 */
public class ImageDecodeException extends IOException {

    private static final long serialVersionUID = 1L;

    public ImageDecodeException(String message) {
        super(message);
    }

    public ImageDecodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
