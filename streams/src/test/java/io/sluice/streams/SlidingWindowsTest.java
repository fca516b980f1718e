package io.sluice.streams;

import io.sluice.client.Serdes;
import io.sluice.streams.state.ReadOnlyWindowStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Sliding-window aggregations through the test driver: which windows a record creates and updates, records before
 * the time difference, out-of-order and late records at the grace boundary, final results, the window store view,
 * and restore from the changelogs.
 */
class SlidingWindowsTest
{
    @Test
    void shouldCreateEachRecordsWindowAndTheWindowsRightAfterEarlierRecords()
    {
        try (TopologyTestDriver driver = new TopologyTestDriver(counts(SlidingWindows.ofTimeDifferenceAndGrace(
            Duration.ofMillis(10), Duration.ofMillis(100)), EmitStrategy.ON_WINDOW_UPDATE)))
        {
            final TestInputTopic<String, String> clicks = input(driver);
            clicks.pipeInput("A", "c", 20);
            assertEquals(List.of("A@10/20=1"), output(driver), "the record's own window; nothing after it yet");
            clicks.pipeInput("A", "c", 25);
            assertEquals(List.of("A@15/25=2", "A@21/31=1"), output(driver),
                "its own window holds both; the window right after the first record is created");
            clicks.pipeInput("A", "c", 40);
            assertEquals(List.of("A@30/40=1"), output(driver), "too far from the others to share a window");
            clicks.pipeInput("A", "c", 18); // out of order, within grace
            assertEquals(List.of("A@8/18=1", "A@10/20=2", "A@15/25=3", "A@19/29=2"), output(driver),
                "its own window, the later records' windows reaching back to it, and the window right after it");

            final ReadOnlyWindowStore<String, Long> store = driver.windowStore("clicks-per-window");
            assertEquals(List.of(KeyValue.pair(8L, 1L), KeyValue.pair(10L, 2L), KeyValue.pair(15L, 3L),
                KeyValue.pair(19L, 2L), KeyValue.pair(21L, 1L), KeyValue.pair(30L, 1L)), store.fetch("A", 0, 100));
            assertEquals(List.of(KeyValue.pair(15L, 3L), KeyValue.pair(19L, 2L)), store.fetch("A", 11, 20));
            assertEquals(3L, store.fetch("A", 15));
            assertNull(store.fetch("A", 16), "no window starts there");
            assertNull(store.fetch("B", 15));
        }
    }

    @Test
    void shouldPutRecordsBeforeTheTimeDifferenceInOneWindowFromTheEpoch()
    {
        try (TopologyTestDriver driver = new TopologyTestDriver(counts(SlidingWindows.ofTimeDifferenceAndGrace(
            Duration.ofMillis(10), Duration.ofMillis(100)), EmitStrategy.ON_WINDOW_UPDATE)))
        {
            final TestInputTopic<String, String> clicks = input(driver);
            clicks.pipeInput("A", "c", 3);
            clicks.pipeInput("A", "c", 7);
            assertEquals(List.of("A@0/10=1", "A@0/10=2", "A@4/14=1"), output(driver));
        }
    }

    @Test
    void shouldDropRecordsForClosedWindowsAndKeepThemForOpenOnesAtTheGraceBoundary()
    {
        try (TopologyTestDriver driver = new TopologyTestDriver(counts(SlidingWindows.ofTimeDifferenceAndGrace(
            Duration.ofMillis(10), Duration.ofMillis(5)), EmitStrategy.ON_WINDOW_UPDATE)))
        {
            final TestInputTopic<String, String> clicks = input(driver);
            clicks.pipeInput("A", "c", 0);
            clicks.pipeInput("B", "c", 30);  // stream time 30: A's [0, 10] closed at 15
            clicks.pipeInput("A", "c", 15);  // its window [5, 15] closed at 20: dropped there, but kept
            clicks.pipeInput("A", "c", 20);  // [10, 20] closed; the window after 15, [16, 26], open until 31
            assertEquals(List.of("A@0/10=1", "A@16/26=1"), keyA(output(driver)));
            assertEquals(1, driver.windowStore("clicks-per-window").fetch("A", 0, 100).size(),
                "closed windows left the store");

            clicks.pipeInput("B", "c", 31);  // stream time 31 = 26 + 5: [16, 26] still open
            clicks.pipeInput("A", "c", 25);
            assertEquals(List.of("A@16/26=2", "A@21/31=1"), keyA(output(driver)));

            clicks.pipeInput("B", "c", 32);  // [16, 26] closes
            clicks.pipeInput("A", "c", 26);  // its own window is [16, 26]: closed
            assertEquals(List.of("A@21/31=2", "A@26/36=1"), keyA(output(driver)));

            clicks.pipeInput("A", "c", 5);   // 5 + 10 + 5 < 32: no window of it can be open
            assertEquals(List.of(), keyA(output(driver)), "a late record is dropped");
        }
    }

    @Test
    void shouldEmitFinalResultsWhenSlidingWindowsClose()
    {
        try (TopologyTestDriver driver = new TopologyTestDriver(counts(SlidingWindows.ofTimeDifferenceAndGrace(
            Duration.ofMillis(10), Duration.ofMillis(5)), EmitStrategy.ON_WINDOW_CLOSE)))
        {
            final TestInputTopic<String, String> clicks = input(driver);
            clicks.pipeInput("A", "c", 20);
            clicks.pipeInput("A", "c", 25);
            clicks.pipeInput("A", "c", 22);
            clicks.pipeInput("B", "c", 25);  // stream time 25 = 20 + 5: [10, 20] still open
            assertEquals(List.of(), output(driver), "nothing final while the windows are open");
            clicks.pipeInput("B", "c", 26);  // [10, 20] closes
            final List<TestRecord<String, Long>> closed = outputRecords(driver);
            assertEquals(List.of(new TestRecord<>("A@10/20", 1L, 20)), closed, "stamped with the window's end");
            clicks.pipeInput("B", "c", 50);
            assertEquals(List.of("A@12/22=2", "A@15/25=3", "B@15/25=1", "B@16/26=2", "A@21/31=2", "A@23/33=1",
                "B@26/36=1"), output(driver), "in the order they closed");
        }
    }

    @Test
    void shouldAggregateInArrivalOrderWithinAWindow()
    {
        final StreamsBuilder builder = new StreamsBuilder();
        builder.stream("clicks", Consumed.with(Serde.string(), Serde.string()))
            .groupByKey()
            .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(10), Duration.ofMillis(100)))
            .reduce((a, b) -> a + b, Materialized.as("pages"))
            .toStream()
            .map((windowed, pages) -> KeyValue.pair(windowed.toString(), pages))
            .to("out", Produced.with(Serde.string(), Serde.string()));
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build()))
        {
            final TestInputTopic<String, String> clicks = input(driver);
            clicks.pipeInput("A", "x", 20);
            clicks.pipeInput("A", "y", 22);
            clicks.pipeInput("A", "z", 21);
            assertEquals(List.of("A@10/20=x", "A@12/22=xy", "A@21/31=y", "A@11/21=xz", "A@12/22=xyz",
                    "A@21/31=yz", "A@22/32=y"),
                driver.createOutputTopic("out", Serdes.stringDeserializer(), Serdes.stringDeserializer())
                    .readKeyValuesToList().stream().map((r) -> r.key() + "=" + r.value()).toList());
        }
    }

    @Test
    void shouldRestoreSlidingWindowsAndTheirRecordsFromTheChangelogs()
    {
        final List<RestoreCheck.Input> inputs = new ArrayList<>();
        final long[] times = { 3, 20, 25, 40, 18, 41, 45, 30, 60, 52, 55, 90, 70, 91 };
        for (int i = 0; i < times.length; i++)
        {
            inputs.add(new RestoreCheck.Input("clicks", i % 3 == 0 ? "B" : "A", "c", times[i]));
        }
        RestoreCheck.assertRestoresAsUninterrupted(counts(SlidingWindows.ofTimeDifferenceAndGrace(
                Duration.ofMillis(10), Duration.ofMillis(15)), EmitStrategy.ON_WINDOW_UPDATE), inputs, 6, "counts",
            "clicks-per-window", "clicks-per-window-RECORDS");
    }

    @Test
    void shouldRefuseANegativeTimeDifference()
    {
        assertThrows(IllegalArgumentException.class,
            () -> SlidingWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(-1)));
        assertThrows(IllegalArgumentException.class,
            () -> SlidingWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(1), Duration.ofMillis(-1)));
        assertEquals(new Window(0, 10), new SlidingWindows(10, 0).leftWindowOf(4));
        assertEquals(new Window(5, 15), new SlidingWindows(10, 0).leftWindowOf(15));
        assertEquals(new Window(16, 26), new SlidingWindows(10, 0).rightWindowOf(15));
    }

    static Topology counts(final SlidingWindows windows, final EmitStrategy strategy)
    {
        return ClickCounts.topology((clicks) -> clicks.windowedBy(windows).emitStrategy(strategy)
            .count(Materialized.as("clicks-per-window")), Windowed::toString);
    }

    private static TestInputTopic<String, String> input(final TopologyTestDriver driver)
    {
        return ClickCounts.input(driver);
    }

    private static List<TestRecord<String, Long>> outputRecords(final TopologyTestDriver driver)
    {
        return ClickCounts.outputRecords(driver);
    }

    private static List<String> output(final TopologyTestDriver driver)
    {
        return ClickCounts.output(driver);
    }

    private static List<String> keyA(final List<String> output)
    {
        return ClickCounts.keyA(output);
    }
}
