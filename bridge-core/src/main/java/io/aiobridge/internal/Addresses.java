package io.aiobridge.internal;

/** Host strings: shared by name resolution and TLS (which sends SNI only for names). */
public final class Addresses {
    private Addresses() {}

    /**
     * Whether {@code host} is an IPv4 dotted quad or an IPv6 literal: the JDK parses these
     * without a lookup.
     *
     * @param host a host name or address
     * @return true for a literal address
     */
    public static boolean isLiteral(String host) {
        if (host.indexOf(':') >= 0) {
            return true;
        }
        int dots = 0;
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c == '.') {
                dots++;
            } else if (c < '0' || c > '9') {
                return false;
            }
        }
        return dots == 3;
    }
}
