package io.aiobridge.internal;

import java.util.List;

/** Argument checks whose messages name the argument, as the public API promises. */
public final class Args {
    private Args() {}

    /**
     * {@code seconds}, after checking it is a number: NaN is rejected with asyncio's {@code
     * ValueError} text, a negative time means now and an infinite one never (the runtime's rule
     * for delays, timeouts and deadlines).
     *
     * @param seconds the time
     * @param name the parameter's name, for the message
     * @return {@code seconds}
     * @throws IllegalArgumentException if it is NaN
     */
    public static double seconds(double seconds, String name) {
        if (Double.isNaN(seconds)) {
            throw new IllegalArgumentException("Invalid delay: NaN (not a number); " + name
                    + " must be a number of seconds (negative: now, infinite: never)");
        }
        return seconds;
    }

    /**
     * {@code items} as a list, after checking that neither the array nor an element is null.
     *
     * @param items the array (a varargs parameter)
     * @param name the parameter's name, for the messages
     * @param <T> the element type
     * @return an unmodifiable list of the elements
     * @throws NullPointerException "NAME is null" or "NAME[i] is null"
     */
    public static <T> List<T> nonNullElements(T[] items, String name) {
        if (items == null) {
            throw new NullPointerException(name + " is null");
        }
        for (int i = 0; i < items.length; i++) {
            if (items[i] == null) {
                throw new NullPointerException(name + "[" + i + "] is null");
            }
        }
        return List.of(items);
    }
}
