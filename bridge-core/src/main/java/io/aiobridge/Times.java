package io.aiobridge;

import io.aiobridge.internal.Args;
import java.time.Duration;
import java.util.Objects;

/**
 * The one rule for every time the runtime takes (delays, timeouts, deadlines): NaN is rejected
 * with asyncio's message, a negative delay means now, an infinite one means never. Durations
 * become seconds without overflow.
 */
final class Times {
    private Times() {}

    /** {@code seconds}, or IllegalArgumentException naming {@code name} if it is NaN. */
    static double check(double seconds, String name) {
        return Args.seconds(seconds, name);
    }

    /** As {@link #check}; null passes (it means no limit). */
    static Double checkOrNull(Double seconds, String name) {
        return seconds == null ? null : check(seconds, name);
    }

    /** {@code d} in seconds; a null Duration is an error naming {@code name}. */
    static double seconds(Duration d, String name) {
        Objects.requireNonNull(d, name + " is null");
        return d.getSeconds() + d.getNano() / 1e9;
    }
}
