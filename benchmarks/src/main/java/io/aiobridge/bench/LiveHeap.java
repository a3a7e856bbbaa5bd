package io.aiobridge.bench;

import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * Live heap bytes: the "Total" line of the JVM's class histogram, which runs a full GC first.
 * Unlike "heap used after GC", it does not depend on the collector's region slack.
 */
final class LiveHeap {
    private LiveHeap() {}

    static long bytes() {
        return total(histogram());
    }

    /** The live classes' histogram after a full GC, as {@code jmap -histo:live} prints it. */
    static String histogram() {
        try {
            return (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "gcClassHistogram", new Object[] {new String[0]},
                    new String[] {String[].class.getName()});
        } catch (JMException e) {
            throw new IllegalStateException("cannot read the class histogram: " + e, e);
        }
    }

    /** The "Total" bytes of a {@link #histogram()}. */
    static long total(String histogram) {
        for (String line : histogram.split("\n")) {
            String t = line.trim();
            if (t.startsWith("Total")) {
                return Long.parseLong(t.split("\\s+")[2]);
            }
        }
        throw new IllegalStateException("no Total line in the class histogram");
    }
}
