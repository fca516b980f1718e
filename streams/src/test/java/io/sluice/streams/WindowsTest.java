package io.sluice.streams;

import io.sluice.client.Serdes;
import io.sluice.streams.internals.WindowedSerde;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Windowed aggregations through the test driver: tumbling and hopping windows, grace, late and out-of-order records,
 * final results on close, and the store holding only open windows.
 */
class WindowsTest
{
    @Test
    void shouldListTheWindowsOfATimestamp()
    {
        final TimeWindows tumbling = TimeWindows.ofSizeWithNoGrace(Duration.ofMillis(10));
        assertEquals(List.of(new Window(0, 10)), tumbling.windowsFor(0));
        assertEquals(List.of(new Window(10, 20)), tumbling.windowsFor(19));
        final TimeWindows hopping = tumbling.advanceBy(Duration.ofMillis(5));
        assertEquals(List.of(new Window(0, 10), new Window(5, 15)), hopping.windowsFor(7));
        assertEquals(List.of(new Window(0, 10)), hopping.windowsFor(3), "no window starts before the epoch");
        assertThrows(IllegalArgumentException.class, () -> tumbling.advanceBy(Duration.ofMillis(11)));
        assertThrows(IllegalArgumentException.class, () -> TimeWindows.ofSizeWithNoGrace(Duration.ZERO));
        assertThrows(IllegalArgumentException.class,
            () -> TimeWindows.ofSizeAndGrace(Duration.ofMillis(10), Duration.ofMillis(-1)));
    }

    @Test
    void shouldCountInTumblingWindowsAndDropRecordsOfClosedWindows()
    {
        try (TopologyTestDriver driver = new TopologyTestDriver(counts(TimeWindows.ofSizeWithNoGrace(
            Duration.ofMillis(10)), EmitStrategy.ON_WINDOW_UPDATE)))
        {
            final TestInputTopic<String, String> clicks = input(driver);
            clicks.pipeInput("alice", "c", 1);
            clicks.pipeInput("alice", "c", 5);
            clicks.pipeInput("bob", "c", 9);
            clicks.pipeInput("alice", "c", 12); // stream time 12: [0, 10) closes
            clicks.pipeInput("alice", "c", 3);  // late: dropped
            clicks.pipeInput("alice", "c", 15);
            assertEquals(List.of("alice@0=1", "alice@0=2", "bob@0=1", "alice@10=1", "alice@10=2"), output(driver));
            assertEquals(1, driver.keyValueStore("clicks-per-window").approximateNumEntries(),
                "only the open window is kept");
        }
    }

    @Test
    void shouldTakeOutOfOrderRecordsWithinTheGracePeriod()
    {
        try (TopologyTestDriver driver = new TopologyTestDriver(counts(TimeWindows.ofSizeAndGrace(
            Duration.ofMillis(10), Duration.ofMillis(5)), EmitStrategy.ON_WINDOW_UPDATE)))
        {
            final TestInputTopic<String, String> clicks = input(driver);
            clicks.pipeInput("alice", "c", 2);
            clicks.pipeInput("alice", "c", 12);
            clicks.pipeInput("alice", "c", 8);  // out of order, [0, 10) open until 15: counted
            clicks.pipeInput("alice", "c", 15); // [0, 10) closes
            clicks.pipeInput("alice", "c", 9);  // late: dropped
            assertEquals(List.of("alice@0=1", "alice@10=1", "alice@0=2", "alice@10=2"), output(driver));
        }
    }

    @Test
    void shouldCountInHoppingWindows()
    {
        try (TopologyTestDriver driver = new TopologyTestDriver(counts(TimeWindows.ofSizeWithNoGrace(
            Duration.ofMillis(10)).advanceBy(Duration.ofMillis(5)), EmitStrategy.ON_WINDOW_UPDATE)))
        {
            final TestInputTopic<String, String> clicks = input(driver);
            clicks.pipeInput("alice", "c", 7);
            clicks.pipeInput("alice", "c", 12);
            assertEquals(List.of("alice@0=1", "alice@5=1", "alice@5=2", "alice@10=1"), output(driver));
        }
    }

    @Test
    void shouldEmitOnlyFinalResultsWhenWindowsClose()
    {
        try (TopologyTestDriver driver = new TopologyTestDriver(counts(TimeWindows.ofSizeAndGrace(
            Duration.ofMillis(10), Duration.ofMillis(2)), EmitStrategy.ON_WINDOW_CLOSE), "clicks-app"))
        {
            final TestInputTopic<String, String> clicks = input(driver);
            clicks.pipeInput("alice", "c", 1);
            clicks.pipeInput("bob", "c", 4);
            clicks.pipeInput("alice", "c", 9);
            clicks.pipeInput("alice", "c", 11); // [0, 10) takes records until 12
            assertEquals(List.of(), output(driver), "nothing final yet");
            clicks.pipeInput("bob", "c", 12);   // [0, 10) closes
            assertEquals(List.of("alice@0=2", "bob@0=1"), output(driver));
            clicks.pipeInput("alice", "c", 30); // [10, 20) closes
            assertEquals(List.of("alice@10=1", "bob@10=1"), output(driver));

            final TestOutputTopic<Windowed<String>, Long> changelog = driver.createOutputTopic(
                "clicks-app-clicks-per-window-changelog",
                new WindowedSerde<>(Serde.string(), 10).deserializer(), Serdes.longDeserializer());
            final List<KeyValue<Windowed<String>, Long>> changes = changelog.readKeyValuesToList();
            assertTrue(changes.contains(KeyValue.pair(new Windowed<>("alice", new Window(0, 10)), null)),
                "a closed window leaves the store and its changelog: " + changes);
        }
    }

    @Test
    void shouldRoundTripWindowedKeys()
    {
        final WindowedSerde<String> serde = new WindowedSerde<>(Serde.string(), 60_000);
        final Windowed<String> key = new Windowed<>("user-1", new Window(120_000, 180_000));
        assertEquals(key, serde.deserializer().deserialize("t", serde.serializer().serialize("t", key)));
        assertThrows(IllegalArgumentException.class, () -> serde.deserializer().deserialize("t", new byte[3]));
    }

    private static Topology counts(final TimeWindows windows, final EmitStrategy strategy)
    {
        return ClickCounts.topology((clicks) -> clicks.windowedBy(windows).emitStrategy(strategy)
            .count(Materialized.as("clicks-per-window")), (w) -> w.key() + "@" + w.window().start());
    }

    private static TestInputTopic<String, String> input(final TopologyTestDriver driver)
    {
        return ClickCounts.input(driver);
    }

    private static List<String> output(final TopologyTestDriver driver)
    {
        return ClickCounts.output(driver);
    }
}
