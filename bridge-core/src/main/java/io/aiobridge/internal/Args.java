package io.aiobridge.internal;

import java.util.List;

/** Argument checks whose messages name the argument, as the public API promises. */
public final class Args {
    private Args() {}

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
