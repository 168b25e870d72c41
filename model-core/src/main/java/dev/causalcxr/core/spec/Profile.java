package dev.causalcxr.core.spec;

import java.util.Locale;

/** Size presets: {@code quick} runs on two CPU cores in minutes, {@code paper} is sized for GPU workers. */
public enum Profile {
    QUICK(64, 2000),
    PAPER(256, 20000);

    private final int imageSize;
    private final int phantomStudies;

    Profile(int imageSize, int phantomStudies) {
        this.imageSize = imageSize;
        this.phantomStudies = phantomStudies;
    }

    public int imageSize() {
        return imageSize;
    }

    public int phantomStudies() {
        return phantomStudies;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
