package io.aiobridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.aiobridge.internal.Settings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The runtime's integer knobs ({@code aiobridge.idleSpinMicros}, {@code aiobridge.publisherBatch}):
 * unset means the default, and a value that is set but unusable fails with the property's name,
 * what it accepts and how to get the default, instead of being ignored (a typo) or used (a batch
 * of 0 items would stall every generator's publisher).
 */
class SettingsTest {
    private static final String KNOB = "aiobridge.test.knob";

    @AfterEach
    void clear() {
        System.clearProperty(KNOB);
    }

    private static int read() {
        return Settings.intProperty(KNOB, 5, 1, 10);
    }

    @Test
    void unsetOrBlankGivesTheDefault() {
        assertEquals(5, read());
        System.setProperty(KNOB, "  ");
        assertEquals(5, read());
    }

    @Test
    void anIntegerInRangeIsUsedSpacesAside() {
        System.setProperty(KNOB, " 10 ");
        assertEquals(10, read());
        System.setProperty(KNOB, "1");
        assertEquals(1, read());
    }

    @Test
    void notAnIntegerFailsNamingThePropertyAndTheFix() {
        System.setProperty(KNOB, "50us");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                SettingsTest::read);
        assertEquals("system property aiobridge.test.knob is not an integer: '50us': set"
                + " -Daiobridge.test.knob to an integer from 1 to 10, or leave it unset for 5",
                e.getMessage());
    }

    @Test
    void outOfRangeFailsOnBothSides() {
        System.setProperty(KNOB, "0");
        assertEquals("system property aiobridge.test.knob is out of range: 0: set"
                + " -Daiobridge.test.knob to an integer from 1 to 10, or leave it unset for 5",
                assertThrows(IllegalArgumentException.class, SettingsTest::read).getMessage());
        System.setProperty(KNOB, "11");
        assertThrows(IllegalArgumentException.class, SettingsTest::read);
        System.setProperty(KNOB, "99999999999");
        assertThrows(IllegalArgumentException.class, SettingsTest::read, "beyond int");
    }
}
