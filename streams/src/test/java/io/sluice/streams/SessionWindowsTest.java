package io.sluice.streams;

import io.sluice.client.Serdes;
import io.sluice.streams.internals.SessionWindowedSerde;
import io.sluice.streams.state.ReadOnlySessionStore;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Session-window aggregations through the test driver: sessions growing and merging (tombstones for the merged-away
 * ones), late records at the grace boundary, final results on close, aggregate with a merger, the session store
 * view, restore from the changelog, and the session key serde.
 */
class SessionWindowsTest
{
    @Test
    void shouldMergeSessionsAndDeleteTheMergedAwayOnes()
    {
        try (TopologyTestDriver driver = new TopologyTestDriver(counts(SessionWindows.ofInactivityGapAndGrace(
            Duration.ofMillis(5), Duration.ofMillis(100)), EmitStrategy.ON_WINDOW_UPDATE)))
        {
            final TestInputTopic<String, String> clicks = input(driver);
            clicks.pipeInput("A", "c", 0);
            clicks.pipeInput("A", "c", 10);
            assertEquals(List.of("A@0/0=1", "A@10/10=1"), output(driver), "10 ms apart: two sessions");
            clicks.pipeInput("A", "c", 5);
            assertEquals(List.of("A@0/0=null", "A@10/10=null", "A@0/10=3"), output(driver),
                "within the gap of both: one session, the two merged away deleted first");
            clicks.pipeInput("A", "c", 7);
            assertEquals(List.of("A@0/10=4"), output(driver), "inside the session: it grows in place");
            clicks.pipeInput("A", "c", 20);
            clicks.pipeInput("B", "c", 3);
            assertEquals(List.of("A@20/20=1", "B@3/3=1"), output(driver));

            final ReadOnlySessionStore<String, Long> store = driver.sessionStore("sessions");
            assertEquals(List.of(KeyValue.pair(new Windowed<>("A", new Window(0, 10)), 4L),
                KeyValue.pair(new Windowed<>("A", new Window(20, 20)), 1L)), store.fetch("A"));
            assertEquals(List.of(KeyValue.pair(new Windowed<>("A", new Window(20, 20)), 1L)),
                store.findSessions("A", 11, 30));
            assertEquals(List.of(), store.fetch("C"));
            assertThrows(IllegalArgumentException.class, () -> driver.windowStore("sessions"),
                "a session store is not a window store");
        }
    }

    @Test
    void shouldDropRecordsOfClosedSessionsUnlessTheyMergeIntoAnOpenOne()
    {
        try (TopologyTestDriver driver = new TopologyTestDriver(counts(SessionWindows.ofInactivityGapAndGrace(
            Duration.ofMillis(5), Duration.ofMillis(2)), EmitStrategy.ON_WINDOW_UPDATE)))
        {
            final TestInputTopic<String, String> clicks = input(driver);
            clicks.pipeInput("A", "c", 0);
            clicks.pipeInput("B", "c", 10);  // stream time 10: A's [0, 0] closed at 2 and left the store
            clicks.pipeInput("A", "c", 4);   // a session of its own, [4, 4], closed since 6: dropped
            clicks.pipeInput("A", "c", 8);   // 8 + 2 = 10: still open
            clicks.pipeInput("A", "c", 3);   // late on its own, but within the gap of the open [8, 8]
            assertEquals(List.of("A@0/0=1", "A@8/8=1", "A@8/8=null", "A@3/8=2"), keyA(output(driver)));

            clicks.pipeInput("B", "c", 11);  // [3, 8] closes
            clicks.pipeInput("A", "c", 9);   // a closed session is final: this starts another
            assertEquals(List.of("A@9/9=1"), keyA(output(driver)));
            assertEquals(List.of(KeyValue.pair(new Windowed<>("A", new Window(9, 9)), 1L)),
                driver.<String, Long>sessionStore("sessions").fetch("A"), "only open sessions are kept");
        }
    }

    @Test
    void shouldEmitOnlyFinalSessionsWhenTheyClose()
    {
        try (TopologyTestDriver driver = new TopologyTestDriver(counts(SessionWindows.ofInactivityGapAndGrace(
            Duration.ofMillis(5), Duration.ofMillis(10)), EmitStrategy.ON_WINDOW_CLOSE)))
        {
            final TestInputTopic<String, String> clicks = input(driver);
            clicks.pipeInput("A", "c", 0);
            clicks.pipeInput("A", "c", 6);
            clicks.pipeInput("A", "c", 3);   // merges [0, 0] and [6, 6]: no tombstones on close only
            clicks.pipeInput("A", "c", 6);
            clicks.pipeInput("A", "c", 16);  // stream time 16 = 6 + 10: [0, 6] still open
            assertEquals(List.of(), output(driver), "nothing while the session is open");
            clicks.pipeInput("A", "c", 17);  // [0, 6] closes
            assertEquals(List.of(new TestRecord<>("A@0/6", 4L, 6)),
                driver.createOutputTopic("counts", Serdes.stringDeserializer(), Serdes.longDeserializer())
                    .readRecordsToList(), "once, stamped with the session's end");
            clicks.pipeInput("B", "c", 30);
            assertEquals(List.of("A@16/17=2"), output(driver));
        }
    }

    @Test
    void shouldMergeAggregatesWithTheMergerAndReduceWithTheReducer()
    {
        final StreamsBuilder builder = new StreamsBuilder();
        final SessionWindowedKStream<String, String> sessions = builder.stream("clicks",
                Consumed.with(Serde.string(), Serde.string()))
            .groupByKey()
            .windowedBy(SessionWindows.ofInactivityGapAndGrace(Duration.ofMillis(5), Duration.ofMillis(100)));
        sessions.aggregate(() -> "", (key, value, pages) -> pages + value, (key, first, second) -> first + "|" + second,
                Materialized.<String, String>as("pages").withValueSerde(Serde.string()))
            .toStream()
            .map((windowed, pages) -> KeyValue.pair(windowed.toString(), pages))
            .to("aggregated", Produced.with(Serde.string(), Serde.string()));
        sessions.reduce((a, b) -> a + b, Materialized.as("reduced"))
            .toStream()
            .map((windowed, pages) -> KeyValue.pair(windowed.toString(), pages))
            .to("reduced", Produced.with(Serde.string(), Serde.string()));
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build()))
        {
            final TestInputTopic<String, String> clicks = input(driver);
            clicks.pipeInput("A", "a", 0);
            clicks.pipeInput("A", "b", 10);
            clicks.pipeInput("A", "c", 5);
            assertEquals("A@0/10=|a|bc", last(driver, "aggregated"),
                "the initializer's value merged with each session in order, then the record added");
            assertEquals("A@0/10=abc", last(driver, "reduced"));
        }
    }

    @Test
    void shouldRestoreSessionsFromTheChangelog()
    {
        final List<RestoreCheck.Input> inputs = new ArrayList<>();
        final long[] times = { 0, 4, 30, 12, 9, 31, 40, 33, 38, 60, 50, 70, 55, 80 };
        for (int i = 0; i < times.length; i++)
        {
            inputs.add(new RestoreCheck.Input("clicks", i % 4 == 0 ? "B" : "A", "c", times[i]));
        }
        RestoreCheck.assertRestoresAsUninterrupted(counts(SessionWindows.ofInactivityGapAndGrace(
            Duration.ofMillis(5), Duration.ofMillis(10)), EmitStrategy.ON_WINDOW_UPDATE), inputs, 6, "counts",
            "sessions");
        RestoreCheck.assertRestoresAsUninterrupted(counts(SessionWindows.ofInactivityGapAndGrace(
            Duration.ofMillis(5), Duration.ofMillis(10)), EmitStrategy.ON_WINDOW_CLOSE), inputs, 9, "counts",
            "sessions");
    }

    @Test
    void shouldRoundTripSessionKeysAndRefuseCorruptOnes()
    {
        final SessionWindowedSerde<String> serde = new SessionWindowedSerde<>(Serde.string());
        final Windowed<String> key = new Windowed<>("user-1", new Window(100, 250));
        assertEquals(key, serde.deserializer().deserialize("t", serde.serializer().serialize("t", key)));
        final Windowed<String> single = new Windowed<>("u", new Window(7, 7));
        assertEquals(single, serde.deserializer().deserialize("t", serde.serializer().serialize("t", single)));
        assertThrows(IllegalArgumentException.class, () -> serde.deserializer().deserialize("t", new byte[15]));
        final byte[] endBeforeStart = ByteBuffer.allocate(16).putLong(5).putLong(9).array();
        assertThrows(IllegalArgumentException.class, () -> serde.deserializer().deserialize("t", endBeforeStart));
        assertThrows(IllegalArgumentException.class, () -> SessionWindows.ofInactivityGapWithNoGrace(Duration.ZERO));
    }

    private static Topology counts(final SessionWindows windows, final EmitStrategy strategy)
    {
        return ClickCounts.topology((clicks) -> clicks.windowedBy(windows).emitStrategy(strategy)
            .count(Materialized.as("sessions")), Windowed::toString);
    }

    private static TestInputTopic<String, String> input(final TopologyTestDriver driver)
    {
        return ClickCounts.input(driver);
    }

    private static List<String> output(final TopologyTestDriver driver)
    {
        return ClickCounts.output(driver);
    }

    private static String last(final TopologyTestDriver driver, final String topic)
    {
        final List<KeyValue<String, String>> records = driver.createOutputTopic(topic, Serdes.stringDeserializer(),
            Serdes.stringDeserializer()).readKeyValuesToList();
        final KeyValue<String, String> last = records.get(records.size() - 1);
        return last.key() + "=" + last.value();
    }

    private static List<String> keyA(final List<String> output)
    {
        return ClickCounts.keyA(output);
    }
}
