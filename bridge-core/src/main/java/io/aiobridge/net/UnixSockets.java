package io.aiobridge.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/** The file side of a Unix domain socket server: the stale file before, its own file after. */
final class UnixSockets {
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private UnixSockets() {}

    /** Removes a socket file left at {@code file} (asyncio does the same); anything else stays. */
    static void removeStale(Path file) {
        try {
            if (isSocket(file)) {
                Files.deleteIfExists(file);
            }
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            // as asyncio: bind() then reports what is in the way
        }
    }

    private static boolean isSocket(Path file) throws IOException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try {
            int mode = (Integer) Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (mode & S_IFMT) == S_IFSOCK;
        } catch (UnsupportedOperationException | IllegalArgumentException noUnixView) {
            // no "unix" attribute view: a socket is neither a file, a directory nor a link
            return Files.readAttributes(file, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS).isOther();
        }
    }

    /** What identifies the file at {@code file} (its inode on Linux), or null. */
    static Object fileKey(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
    }

    /**
     * Removes the server's socket file when it closes, unless another file has taken its place
     * since (asyncio 3.13 compares inodes the same way).
     */
    static void removeIfSame(Path file, Object key) {
        if (key == null || !key.equals(fileKey(file))) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException | SecurityException e) {
            // the server is closed either way; the file is only litter
        }
    }
}
