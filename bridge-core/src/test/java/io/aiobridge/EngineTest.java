package io.aiobridge;

import static io.aiobridge.testing.Loops.engineOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Which switching engine a loop gets (docs/engine.md). The suite runs twice: without {@code
 * --add-opens java.base/java.lang}, where {@code auto} must take the default engine, and with it,
 * where {@code auto} must take the carrier engine.
 */
class EngineTest {
    private static final boolean OPENED =
            Object.class.getModule().isOpen("java.lang", EventLoop.class.getModule());

    private static <T> T withEngineProperty(String value, Supplier<T> body) {
        String before = System.getProperty("aiobridge.engine");
        try {
            if (value == null) {
                System.clearProperty("aiobridge.engine");
            } else {
                System.setProperty("aiobridge.engine", value);
            }
            return body.get();
        } finally {
            if (before == null) {
                System.clearProperty("aiobridge.engine");
            } else {
                System.setProperty("aiobridge.engine", before);
            }
        }
    }

    @Test
    void autoTakesTheCarrierEngineExactlyWhenTheJvmAllowsIt() {
        String expected = OPENED ? "carrier" : "default";
        for (String property : new String[] {null, "auto", " AUTO "}) {
            String engine = withEngineProperty(property, () -> {
                try (EventLoop loop = EventLoop.newEventLoop()) {
                    return engineOf(loop);
                }
            });
            assertEquals(expected, engine, "aiobridge.engine=" + property);
        }
        assertEquals("default", withEngineProperty("default", () -> {
            try (EventLoop loop = EventLoop.newEventLoop()) {
                return engineOf(loop);
            }
        }));
    }

    @Test
    void theChosenEngineRunsTasks() {
        String engine = withEngineProperty(null, () -> Aio.run(() -> {
            Aio.sleep(0);
            return engineOf(Aio.getRunningLoop());
        }));
        assertEquals(OPENED ? "carrier" : "default", engine);
    }

    @Test
    void askingForTheCarrierEngineByNameWhereItIsNotAllowedFailsLoudly() {
        assumeFalse(OPENED, "this JVM allows the carrier engine");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> withEngineProperty("carrier", EventLoop::newEventLoop));
        assertTrue(e.getMessage().contains("--add-opens java.base/java.lang=ALL-UNNAMED"),
                e.getMessage());
    }

    @Test
    void anUnknownEngineIsRefusedWithTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> withEngineProperty("fast", EventLoop::newEventLoop));
        assertEquals("unknown aiobridge.engine 'fast'; use 'auto', 'default' or 'carrier'",
                e.getMessage());
    }

    @Test
    void aLoopMayNameItsEngineWithoutTouchingTheJvmsSetting() {
        // the property says one thing, the loop asks for another: the loop wins, the property
        // (what every other newEventLoop() reads) is left as it was
        String engine = withEngineProperty("carrier", () -> {
            try (EventLoop loop = EventLoop.newEventLoop(EventLoop.Engine.DEFAULT)) {
                assertEquals("carrier", System.getProperty("aiobridge.engine"));
                return engineOf(loop);
            }
        });
        assertEquals("default", engine);
        try (EventLoop loop = EventLoop.newEventLoop(EventLoop.Engine.AUTO)) {
            assertEquals(OPENED ? "carrier" : "default", engineOf(loop));
        }
        if (OPENED) {
            try (EventLoop loop = EventLoop.newEventLoop(EventLoop.Engine.CARRIER)) {
                assertEquals("carrier", engineOf(loop));
            }
        } else {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> EventLoop.newEventLoop(EventLoop.Engine.CARRIER));
            assertTrue(e.getMessage().contains("--add-opens java.base/java.lang=ALL-UNNAMED"),
                    e.getMessage());
        }
    }

    @Test
    void engineNamesAreReadAsThePropertyIs() {
        assertEquals(EventLoop.Engine.CARRIER, EventLoop.Engine.of(" Carrier "));
        assertEquals(EventLoop.Engine.DEFAULT, EventLoop.Engine.of("default"));
        assertEquals(EventLoop.Engine.AUTO, withEngineProperty(null, EventLoop.Engine::configured));
        assertEquals(EventLoop.Engine.DEFAULT,
                withEngineProperty("DEFAULT", EventLoop.Engine::configured));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EventLoop.Engine.of(" turbo"));
        assertEquals("unknown aiobridge.engine 'turbo'; use 'auto', 'default' or 'carrier'",
                e.getMessage());
    }
}
