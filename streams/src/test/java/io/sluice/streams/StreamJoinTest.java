package io.sluice.streams;

import io.sluice.client.Serdes;
import io.sluice.streams.internals.TimestampedValuesSerde;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Stream-stream joins within a time difference, through the test driver.
 */
class StreamJoinTest
{
    @Test
    void shouldJoinRecordsOfBothSidesWithinTheTimeDifferenceWhicheverComesFirst()
    {
        final StreamsBuilder builder = new StreamsBuilder();
        final Consumed<String, String> strings = Consumed.with(Serde.string(), Serde.string());
        final KStream<String, String> orders = builder.stream("orders", strings);
        final KStream<String, String> shipments = builder.stream("shipments", strings);
        orders.join(shipments, (item, carrier) -> item + "/" + carrier,
                JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(10)),
                StreamJoined.with(Serde.string(), Serde.string(), Serde.string()))
            .to("shipped", Produced.with(Serde.string(), Serde.string()));
        final Topology topology = builder.build();
        assertEquals(1, topology.subtopologies().size(), "both sides share the task: " + topology.describe());
        try (TopologyTestDriver driver = new TopologyTestDriver(topology, "shop"))
        {
            final TestInputTopic<String, String> orderIn =
                driver.createInputTopic("orders", Serdes.stringSerializer(), Serdes.stringSerializer());
            final TestInputTopic<String, String> shipmentIn =
                driver.createInputTopic("shipments", Serdes.stringSerializer(), Serdes.stringSerializer());
            orderIn.pipeInput("A", "book", 5);
            shipmentIn.pipeInput("A", "post", 12);     // 7 ms apart: joined
            orderIn.pipeInput("A", "pen", 14);         // a second order joins the kept shipment
            shipmentIn.pipeInput("B", "van", 20);
            orderIn.pipeInput("B", "lamp", 35);        // 15 ms apart: not joined
            orderIn.pipeInput("C", "desk", 30);
            shipmentIn.pipeInput("C", "truck", 25);    // out of order, still kept: joined
            orderIn.pipeInput("A", "ink", 15);         // stream time 35: 15 + 10 is past, too late to join
            shipmentIn.pipeInput("D", "bike", 1);      // too late to keep or join
            orderIn.pipeInput("D", "cup", 2);
            final List<TestRecord<String, String>> shipped = driver.createOutputTopic("shipped",
                Serdes.stringDeserializer(), Serdes.stringDeserializer()).readRecordsToList();
            assertEquals(List.of(new TestRecord<>("A", "book/post", 12), new TestRecord<>("A", "pen/post", 14),
                new TestRecord<>("C", "desk/truck", 30)), shipped);
            assertTrue(driver.producedTopicNames().stream().anyMatch((t) -> t.startsWith("shop-KSTREAM-JOIN") &&
                t.endsWith("-changelog")), "both buffers are logged: " + driver.producedTopicNames());
        }
    }

    @Test
    void shouldRoundTripAJoinBuffer()
    {
        final TimestampedValuesSerde<String> serde = new TimestampedValuesSerde<>(Serde.string());
        final List<TimestampedValuesSerde.Entry<String>> entries = List.of(
            new TimestampedValuesSerde.Entry<>(1, "a"), new TimestampedValuesSerde.Entry<>(2, null));
        assertEquals(entries, serde.deserializer().deserialize("t", serde.serializer().serialize("t", entries)));
        assertThrows(IllegalArgumentException.class,
            () -> serde.deserializer().deserialize("t", new byte[]{ 0x7f, 0, 0, 0 }));
    }

    @Test
    void shouldRefuseToJoinAReKeyedStream()
    {
        final StreamsBuilder builder = new StreamsBuilder();
        final Consumed<String, String> strings = Consumed.with(Serde.string(), Serde.string());
        final KStream<String, String> left = builder.stream("l", strings).selectKey((k, v) -> v);
        final KStream<String, String> right = builder.stream("r", strings);
        assertThrows(IllegalStateException.class, () -> left.join(right, (a, b) -> a + b,
            JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(1)),
            StreamJoined.with(Serde.string(), Serde.string(), Serde.string())));
    }
}
