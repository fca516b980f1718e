package io.sluice.client;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class OptionsAndSerdesTest
{
    @Test
    void shouldRoundTripTheBuiltInSerdes()
    {
        for (final long value : new long[]{ 0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0x0102030405060708L })
        {
            final byte[] bytes = Serdes.longSerializer().serialize("t", value);
            assertEquals(8, bytes.length);
            assertEquals(value, Serdes.longDeserializer().deserialize("t", bytes));
        }
        assertArrayEquals(new byte[]{ 1, 2, 3, 4, 5, 6, 7, 8 },
            Serdes.longSerializer().serialize("t", 0x0102030405060708L), "big-endian, as Kafka's");
        assertEquals("héllo", Serdes.stringDeserializer().deserialize("t",
            Serdes.stringSerializer().serialize("t", "héllo")));
        assertArrayEquals("héllo".getBytes(StandardCharsets.UTF_8), Serdes.stringSerializer().serialize("t", "héllo"));
        final byte[] raw = { 9, 8 };
        assertArrayEquals(raw, Serdes.bytesDeserializer().deserialize("t", Serdes.bytesSerializer().serialize("t", raw)));
        assertNull(Serdes.stringSerializer().serialize("t", null));
        assertNull(Serdes.longDeserializer().deserialize("t", null));
        assertThrows(IllegalArgumentException.class, () -> Serdes.longDeserializer().deserialize("t", new byte[3]));
    }

    @Test
    void shouldCopyOnEveryWitherAndRefuseBadValues()
    {
        final ProducerOptions<String, String> producer =
            ProducerOptions.create(Serdes.stringSerializer(), Serdes.stringSerializer());
        final ProducerOptions<String, String> changed = producer.withMaxInFlight(8).withAcks(Acks.ALL);
        assertNotSame(producer, changed);
        assertEquals(ProducerOptions.MAX_IN_FLIGHT_DEFAULT, producer.maxInFlight());
        assertEquals(Acks.LEADER, producer.acks());
        assertEquals(8, changed.maxInFlight());
        assertEquals(Acks.ALL, changed.acks());
        assertThrows(IllegalArgumentException.class, () -> producer.withMaxInFlight(0));
        assertThrows(IllegalArgumentException.class, () -> producer.withMaxBatchBytes(100));
        assertThrows(IllegalArgumentException.class, () -> producer.withLinger(Duration.ofMillis(-1)));
        assertEquals(Duration.ZERO, producer.linger());
        assertThrows(NullPointerException.class, () -> producer.withAcks(null));

        final ConsumerOptions<String, String> consumer =
            ConsumerOptions.create(Serdes.stringDeserializer(), Serdes.stringDeserializer());
        final TopicPartition tp = new TopicPartition("t", 1);
        final ConsumerOptions<String, String> seeking = consumer.withTopics("t").withSeek(tp, 5);
        assertEquals(5L, seeking.seeks().get(tp));
        assertEquals(0, consumer.seeks().size());
        assertEquals(0, seeking.withAssignment(tp).topics().size(), "an assignment replaces topics");
        assertThrows(IllegalArgumentException.class, () -> consumer.withSeek(tp, -3));
        assertThrows(IllegalArgumentException.class, () -> consumer.withSeekToTimestamp(tp, -1));
        final long encoded = consumer.withSeekToTimestamp(tp, 1234).seeks().get(tp);
        assertTrue(ConsumerOptions.isTimestampSeek(encoded));
        assertEquals(1234, ConsumerOptions.seekTimestamp(encoded));
        assertFalse(ConsumerOptions.isTimestampSeek(ConsumerOptions.BEGINNING));
        assertFalse(ConsumerOptions.isTimestampSeek(5));
        assertThrows(IllegalArgumentException.class, () -> consumer.withMaxBufferedBytes(1024));
        assertThrows(IllegalArgumentException.class, () -> consumer.withCommitInterval(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new TopicPartition("t", -1));

        final ClientOptions client = ClientOptions.create("127.0.0.1:9494");
        assertEquals(Duration.ofSeconds(3), client.withRequestTimeout(Duration.ofSeconds(3)).requestTimeout());
        assertThrows(IllegalArgumentException.class, () -> client.withConnectTimeout(Duration.ofMillis(-1)));
        assertThrows(NullPointerException.class, () -> ClientOptions.create(null));
    }
}
