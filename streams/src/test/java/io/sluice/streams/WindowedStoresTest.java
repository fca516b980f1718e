package io.sluice.streams;

import io.sluice.client.Serdes;
import io.sluice.streams.state.ReadOnlyWindowStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The windowed view of a time-windowed aggregation's store from the test driver, the stores it refuses, and restore
 * of time-windowed stores (final results pending in the store included).
 */
class WindowedStoresTest
{
    @Test
    void shouldFetchTheOpenWindowsOfAKeyByStart()
    {
        try (TopologyTestDriver driver = new TopologyTestDriver(counts(EmitStrategy.ON_WINDOW_UPDATE)))
        {
            final TestInputTopic<String, String> clicks = driver.createInputTopic("clicks",
                Serdes.stringSerializer(), Serdes.stringSerializer());
            clicks.pipeInput("alice", "c", 7);
            clicks.pipeInput("alice", "c", 12);
            clicks.pipeInput("bob", "c", 13);
            final ReadOnlyWindowStore<String, Long> store = driver.windowStore("clicks-per-window");
            assertEquals(List.of(KeyValue.pair(0L, 1L), KeyValue.pair(5L, 2L), KeyValue.pair(10L, 1L)),
                store.fetch("alice", 0, 20));
            assertEquals(List.of(KeyValue.pair(5L, 2L)), store.fetch("alice", 1, 9));
            assertEquals(2L, store.fetch("alice", 5));
            assertNull(store.fetch("alice", 15));
            assertEquals(5, store.all().size(), "three windows of alice's, two of bob's");
            clicks.pipeInput("bob", "c", 30);   // every window of alice's closes
            assertEquals(List.of(), store.fetch("alice", 0, 100), "closed windows leave the store");
        }
    }

    @Test
    void shouldRefuseAWindowedViewOfOtherStores()
    {
        final StreamsBuilder builder = new StreamsBuilder();
        builder.table("users", Consumed.with(Serde.string(), Serde.string()), Materialized.as("users"));
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build()))
        {
            assertThrows(IllegalArgumentException.class, () -> driver.windowStore("users"));
            assertThrows(IllegalArgumentException.class, () -> driver.sessionStore("users"));
            assertThrows(IllegalArgumentException.class, () -> driver.windowStore("nope"));
        }
    }

    @Test
    void shouldRestoreTimeWindowsAndTheirPendingFinalResults()
    {
        final long[] times = { 1, 7, 12, 3, 14, 20, 22, 18, 31, 40, 37, 55 };
        final List<RestoreCheck.Input> inputs = new ArrayList<>();
        for (int i = 0; i < times.length; i++)
        {
            inputs.add(new RestoreCheck.Input("clicks", i % 3 == 0 ? "bob" : "alice", "c", times[i]));
        }
        RestoreCheck.assertRestoresAsUninterrupted(counts(EmitStrategy.ON_WINDOW_UPDATE), inputs, 5, "counts",
            "clicks-per-window");
        RestoreCheck.assertRestoresAsUninterrupted(counts(EmitStrategy.ON_WINDOW_CLOSE), inputs, 8, "counts",
            "clicks-per-window");
    }

    private static Topology counts(final EmitStrategy strategy)
    {
        final StreamsBuilder builder = new StreamsBuilder();
        builder.stream("clicks", Consumed.with(Serde.string(), Serde.string()))
            .groupByKey()
            .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(10), Duration.ofMillis(5))
                .advanceBy(Duration.ofMillis(5)))
            .emitStrategy(strategy)
            .count(Materialized.as("clicks-per-window"))
            .toStream()
            .map((windowed, count) -> KeyValue.pair(windowed.toString(), count))
            .to("counts", Produced.with(Serde.string(), Serde.longs()));
        return builder.build();
    }
}
