package io.sluice.perf;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * System properties that keep Chronicle Queue offline and quiet. They must be set before any Chronicle class is
 * loaded, because Chronicle reads them in static initialisers; {@link PerfMain} sets them first thing, and this
 * class names no Chronicle type so that touching it loads none.
 * <ul>
 *   <li>{@code chronicle.analytics.disable}: building a queue otherwise sends a "started" event to Google
 *   Analytics and writes {@code ~/.chronicle.analytics.*}. The {@code chronicle-analytics} jar is also excluded
 *   from the build, so there is nothing to send it with.</li>
 *   <li>{@code chronicle.announcer.disable}: no start-up banner.</li>
 *   <li>{@code chronicle.disk.monitor.disable}: no {@code DiskSpaceMonitor} thread polling every 10 s.</li>
 *   <li>{@code disable.perf.info}: no performance hints on the log.</li>
 * </ul>
 * A value given with {@code -D} wins. Chronicle also loads a {@code system.properties} file from the working
 * directory if there is one; it cannot override these either, since Chronicle only adds keys that are absent.
 * <p>
 * Public for the e2e harness's Chronicle target, in {@code io.sluice.perf.e2e}.
 */
public final class ChronicleProperties
{
    static final Map<String, String> OFFLINE;

    static
    {
        final Map<String, String> offline = new LinkedHashMap<>();
        offline.put("chronicle.analytics.disable", "true");
        offline.put("chronicle.announcer.disable", "true");
        offline.put("chronicle.disk.monitor.disable", "true");
        offline.put("disable.perf.info", "true");
        OFFLINE = java.util.Collections.unmodifiableMap(offline);
    }

    private ChronicleProperties()
    {
    }

    /**
     * Set each property that is not already set.
     */
    public static void apply()
    {
        OFFLINE.forEach((key, value) ->
        {
            if (null == System.getProperty(key))
            {
                System.setProperty(key, value);
            }
        });
    }
}
