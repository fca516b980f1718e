package io.sluice.streams;

import io.sluice.client.Serdes;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Left and outer stream-stream joins through the test driver: a record that joins nothing is emitted with null only
 * once its window has closed, never when a match arrives in time (out of order included), and not at all when it
 * comes too late; the unjoined records are logged and restored.
 */
class OuterJoinTest
{
    private static final Consumed<String, String> STRINGS = Consumed.with(Serde.string(), Serde.string());
    private static final StreamJoined<String, String, String> JOINED =
        StreamJoined.with(Serde.string(), Serde.string(), Serde.string());

    @Test
    void shouldEmitAnUnjoinedLeftRecordWithNullOnlyWhenItsWindowCloses()
    {
        try (TopologyTestDriver driver = new TopologyTestDriver(join(false, JoinWindows.ofTimeDifferenceWithNoGrace(
            Duration.ofMillis(10))), "shop"))
        {
            final TestInputTopic<String, String> orders = orders(driver);
            final TestInputTopic<String, String> shipments = shipments(driver);
            orders.pipeInput("A", "book", 5);
            shipments.pipeInput("A", "post", 12);
            assertEquals(List.of(new TestRecord<>("A", "book/post", 12)), shipped(driver));

            orders.pipeInput("B", "lamp", 20);
            orders.pipeInput("C", "desk", 22);
            shipments.pipeInput("C", "truck", 30);  // stream time 30 = 20 + 10: B's window still open
            assertEquals(List.of(new TestRecord<>("C", "desk/truck", 30)), shipped(driver), "no null result yet");

            shipments.pipeInput("E", "van", 31);    // B's window closed
            assertEquals(List.of(new TestRecord<>("B", "lamp/null", 20)), shipped(driver),
                "once, with the order's time; an unjoined shipment gives nothing in a left join");
            orders.pipeInput("F", "pen", 45);
            assertEquals(List.of(), shipped(driver));
            assertTrue(driver.producedTopicNames().contains("shop-KSTREAM-LEFTJOIN-0000000002-THIS-UNJOINED-STORE" +
                "-changelog"), "unjoined records are logged: " + driver.producedTopicNames());
            assertFalse(driver.producedTopicNames().contains("shop-KSTREAM-LEFTJOIN-0000000002-OTHER-UNJOINED-STORE" +
                "-changelog"), "a left join keeps no unjoined records of the other side");
        }
    }

    @Test
    void shouldEmitUnjoinedRecordsOfBothSidesInAnOuterJoinInTimeOrder()
    {
        try (TopologyTestDriver driver = new TopologyTestDriver(join(true, JoinWindows.ofTimeDifferenceWithNoGrace(
            Duration.ofMillis(10)))))
        {
            final TestInputTopic<String, String> orders = orders(driver);
            final TestInputTopic<String, String> shipments = shipments(driver);
            orders.pipeInput("A", "book", 5);
            shipments.pipeInput("B", "van", 8);
            orders.pipeInput("C", "cup", 9);
            shipments.pipeInput("A", "post", 14);
            assertEquals(List.of(new TestRecord<>("A", "book/post", 14)), shipped(driver));
            orders.pipeInput("D", "ink", 30);        // B's and C's windows have closed
            assertEquals(List.of(new TestRecord<>("B", "null/van", 8), new TestRecord<>("C", "cup/null", 9)),
                shipped(driver), "both sides, earliest first; the joined pair leaves no null result");
        }
    }

    @Test
    void shouldJoinAnOutOfOrderMatchWithinGraceAndDropLateRecords()
    {
        try (TopologyTestDriver driver = new TopologyTestDriver(join(false, JoinWindows.ofTimeDifferenceAndGrace(
            Duration.ofMillis(10), Duration.ofMillis(5)))))
        {
            final TestInputTopic<String, String> orders = orders(driver);
            final TestInputTopic<String, String> shipments = shipments(driver);
            orders.pipeInput("X", "a", 10);
            orders.pipeInput("Y", "b", 22);
            shipments.pipeInput("X", "s", 18);       // out of order, X's window open until 25
            orders.pipeInput("W", "w", 5);           // 5 + 10 + 5 < 22: too late to join or to keep
            shipments.pipeInput("Q", "q", 37);       // stream time 37 = 22 + 10 + 5: Y still open
            assertEquals(List.of(new TestRecord<>("X", "a/s", 18)), shipped(driver),
                "no null result for X, none for the late W");
            shipments.pipeInput("R", "r", 38);
            assertEquals(List.of(new TestRecord<>("Y", "b/null", 22)), shipped(driver));
        }
    }

    @Test
    void shouldRestoreUnjoinedRecordsFromTheChangelog()
    {
        final List<RestoreCheck.Input> inputs = new ArrayList<>();
        final String[] keys = { "A", "B", "C", "A", "D", "B", "E", "C", "F", "A", "G", "H" };
        final long[] times = { 5, 8, 9, 14, 20, 25, 26, 21, 40, 41, 60, 90 };
        for (int i = 0; i < keys.length; i++)
        {
            inputs.add(new RestoreCheck.Input(i % 2 == 0 ? "orders" : "shipments", keys[i], "v" + i, times[i]));
        }
        final String prefix = "KSTREAM-OUTERJOIN-0000000002-";
        RestoreCheck.assertRestoresAsUninterrupted(join(true, JoinWindows.ofTimeDifferenceAndGrace(
                Duration.ofMillis(10), Duration.ofMillis(5))), inputs, 7, "shipped",
            prefix + "THIS-STORE", prefix + "OTHER-STORE", prefix + "THIS-UNJOINED-STORE",
            prefix + "OTHER-UNJOINED-STORE");
    }

    private static Topology join(final boolean outer, final JoinWindows windows)
    {
        final StreamsBuilder builder = new StreamsBuilder();
        final KStream<String, String> orders = builder.stream("orders", STRINGS);
        final KStream<String, String> shipments = builder.stream("shipments", STRINGS);
        final KStream<String, String> joined = outer ?
            orders.outerJoin(shipments, (item, carrier) -> item + "/" + carrier, windows, JOINED) :
            orders.leftJoin(shipments, (item, carrier) -> item + "/" + carrier, windows, JOINED);
        joined.to("shipped", Produced.with(Serde.string(), Serde.string()));
        return builder.build();
    }

    private static TestInputTopic<String, String> orders(final TopologyTestDriver driver)
    {
        return driver.createInputTopic("orders", Serdes.stringSerializer(), Serdes.stringSerializer());
    }

    private static TestInputTopic<String, String> shipments(final TopologyTestDriver driver)
    {
        return driver.createInputTopic("shipments", Serdes.stringSerializer(), Serdes.stringSerializer());
    }

    private static List<TestRecord<String, String>> shipped(final TopologyTestDriver driver)
    {
        return driver.createOutputTopic("shipped", Serdes.stringDeserializer(), Serdes.stringDeserializer())
            .readRecordsToList();
    }
}
