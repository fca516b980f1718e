package io.sluice.transport.controller;

import io.sluice.codecs.controller.ControllerError;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The controller protocol's codec: every message decodes to what was encoded, and a truncated, corrupted or random
 * message is reported as malformed, never thrown and never half delivered.
 */
class ControllerCodecTest
{
    private final ControllerCodec codec = new ControllerCodec();
    private final List<Object> decoded = new ArrayList<>();
    private final List<String> malformed = new ArrayList<>();
    private final ControllerCodec.Handler handler = new ControllerCodec.Handler()
    {
        public void onRegisterBroker(final long correlationId, final int nodeId, final long incarnationId,
            final String host, final int clientPort, final int replicationPort)
        {
            decoded.add(List.of("register", correlationId, nodeId, incarnationId, host, clientPort, replicationPort));
        }

        public void onCreateTopic(final long correlationId, final String name, final int partitionCount,
            final int replicationFactor, final Map<String, String> configs)
        {
            decoded.add(List.of("create", correlationId, name, partitionCount, replicationFactor, configs));
        }

        public void onDeleteTopic(final long correlationId, final String name)
        {
            decoded.add(List.of("delete", correlationId, name));
        }

        public void onAlterPartition(final long correlationId, final int nodeId, final long topicId,
            final int partition, final int leaderEpoch, final int partitionEpoch, final List<Integer> isr)
        {
            decoded.add(List.of("alter", correlationId, nodeId, topicId, partition, leaderEpoch, partitionEpoch, isr));
        }

        public void onFetchImage(final long correlationId)
        {
            decoded.add(List.of("fetch", correlationId));
        }

        public void onResponse(final long correlationId, final ControllerError error, final long metadataVersion,
            final String message)
        {
            decoded.add(List.of("response", correlationId, error, metadataVersion, message));
        }

        public void onAlterAcl(final long correlationId, final boolean add, final io.sluice.transport.AclEntry acl)
        {
            decoded.add(List.of("acl", correlationId, add, acl));
        }

        public void onRecord(final MetadataRecord record, final long metadataVersion)
        {
            decoded.add(List.of(record, metadataVersion));
        }

        public void onImageStart(final long metadataVersion, final long nextTopicId)
        {
            decoded.add(List.of("start", metadataVersion, nextTopicId));
        }

        public void onImageEnd(final long metadataVersion)
        {
            decoded.add(List.of("end", metadataVersion));
        }

        public void onMetadataVersion(final long metadataVersion)
        {
            decoded.add(List.of("version", metadataVersion));
        }

        public void onBrokerSession(final int nodeId, final long sessionId)
        {
            decoded.add(List.of("session", nodeId, sessionId));
        }

        public void onMalformed(final String reason)
        {
            malformed.add(reason);
        }
    };

    private Object roundTrip(final int length)
    {
        decoded.clear();
        codec.decode(codec.buffer(), 0, length, handler);
        assertEquals(List.of(), malformed);
        assertEquals(1, decoded.size());
        return decoded.get(0);
    }

    @Test
    void shouldDecodeEveryMessageAsEncoded()
    {
        final Map<String, String> configs = new LinkedHashMap<>();
        configs.put("min.insync.replicas", "2");
        configs.put("retention.ms", "1000");
        assertEquals(List.of("register", 7L, 2, 99L, "10.0.0.2", 9494, 9495),
            roundTrip(codec.registerBroker(7, 2, 99, "10.0.0.2", 9494, 9495)));
        assertEquals(List.of("create", 8L, "orders", 12, 3, configs),
            roundTrip(codec.createTopic(8, "orders", 12, 3, configs)));
        assertEquals(List.of("delete", 9L, "orders"), roundTrip(codec.deleteTopic(9, "orders")));
        assertEquals(List.of("alter", 10L, 1, 5L, 3, 4, 6, List.of(1, 2)),
            roundTrip(codec.alterPartition(10, 1, 5, 3, 4, 6, List.of(1, 2))));
        assertEquals(List.of("fetch", 11L), roundTrip(codec.fetchImage(11)));
        final io.sluice.transport.AclEntry acl = new io.sluice.transport.AclEntry("bob",
            io.sluice.codecs.client.AclResourceType.TOPIC, io.sluice.codecs.client.AclPatternType.PREFIXED, "logs-",
            io.sluice.codecs.client.AclOperation.READ);
        assertEquals(List.of("acl", 13L, true, acl), roundTrip(codec.alterAcl(13, true, acl)));
        assertEquals(List.of("acl", 14L, false, acl), roundTrip(codec.alterAcl(14, false, acl)));
        assertEquals(List.of("response", 12L, ControllerError.TOPIC_EXISTS, 40L, "exists"),
            roundTrip(codec.response(12, ControllerError.TOPIC_EXISTS, 40, "exists")));
        assertEquals(List.of("start", 41L, 6L), roundTrip(codec.imageStart(41, 6)));
        assertEquals(List.of("end", 41L), roundTrip(codec.imageEnd(41)));
        assertEquals(List.of("version", 42L), roundTrip(codec.metadataVersion(42)));
        assertEquals(List.of("session", 2, 77L), roundTrip(codec.brokerSession(2, 77)));

        for (final MetadataRecord record : List.of(
            new BrokerInfo(2, 99, true, "::1", 9494, 9495),
            new BrokerInfo(3, 98, false, "host", 1, 2),
            new TopicInfo(5, "orders", 12, 3, configs),
            new PartitionInfo(5, 11, PartitionInfo.NO_LEADER, 7, 9, List.of(3, 1, 2), List.of(3)),
            new TopicRemoved(5),
            new AclChange(acl, true),
            new AclChange(acl, false)))
        {
            assertEquals(List.of(record, 43L), roundTrip(codec.record(record, 43)));
        }
    }

    @Test
    void shouldReportEveryTruncationAsMalformed()
    {
        final int length = codec.createTopic(1, "orders", 3, 2, Map.of("a", "b", "c", "d"));
        final UnsafeBuffer copy = new UnsafeBuffer(new byte[length]);
        copy.putBytes(0, codec.buffer(), 0, length);
        for (int cut = 0; cut < length; cut++)
        {
            decoded.clear();
            malformed.clear();
            final UnsafeBuffer truncated = new UnsafeBuffer(new byte[1024]); // room beyond the cut, as in a term
            truncated.putBytes(0, copy, 0, cut);
            codec.decode(truncated, 0, cut, handler);
            assertEquals(List.of(), decoded, "nothing delivered from " + cut + " of " + length + " bytes");
            assertEquals(1, malformed.size(), "reported at " + cut);
        }
    }

    @Test
    void shouldSurviveRandomAndCorruptedMessages()
    {
        final Random random = new Random(103);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
        for (int i = 0; i < 20_000; i++)
        {
            final int length = codec.record(
                new PartitionInfo(1, 2, 3, 4, 5, List.of(3, 1), List.of(3)), 6);
            buffer.putBytes(0, codec.buffer(), 0, length);
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--)
            {
                buffer.putByte(random.nextInt(length), (byte)random.nextInt());
            }
            if (i % 2 == 0)
            {
                for (int b = 0; b < length; b++)
                {
                    buffer.putByte(b, (byte)random.nextInt()); // wholly random
                }
            }
            malformed.clear();
            decoded.clear();
            codec.decode(buffer, 0, length, handler); // never throws
            assertEquals(1, malformed.size() + decoded.size());
        }
    }
}
