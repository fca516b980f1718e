package io.sluice.broker;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ext.DebugReceiveChannelEndpoint;
import io.aeron.driver.ext.DebugSendChannelEndpoint;
import io.aeron.driver.ext.LossGenerator;
import io.aeron.protocol.DataHeaderFlyweight;
import io.aeron.protocol.ErrorFlyweight;
import io.aeron.protocol.HeaderFlyweight;
import io.aeron.protocol.NakFlyweight;
import io.aeron.protocol.RttMeasurementFlyweight;
import io.aeron.protocol.SetupFlyweight;
import io.aeron.protocol.StatusMessageFlyweight;
import io.sluice.codecs.client.Acks;
import io.sluice.codecs.client.ErrorCode;
import io.sluice.engine.PartitionLog;
import io.sluice.transport.ClientConnection;
import io.sluice.transport.ClientProtocol;
import io.sluice.transport.TopicDescription;
import io.sluice.transport.controller.ControllerNode;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.sluice.broker.ClusterReplicationTest.await;
import static io.sluice.broker.ClusterReplicationTest.describe;
import static io.sluice.broker.ClusterReplicationTest.values;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Three brokers in one JVM, as in {@link ClusterReplicationTest}, each with Aeron's debug channel endpoints in its
 * embedded media driver so that the test can lose frames: a share of the replication stream's data frames, or every
 * frame to and from one broker but its clients' (a network partition that leaves the test's client connected).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterLossTest
{
    private static final String TOPIC = "orders";
    private static final Set<ErrorCode> NOT_ACKNOWLEDGED = Set.of(ErrorCode.REQUEST_TIMED_OUT, ErrorCode.NOT_LEADER);

    @TempDir
    File directory;

    private final SluiceBroker[] brokers = new SluiceBroker[3];
    private final NetworkFaults[] faults = { new NetworkFaults(), new NetworkFaults(), new NetworkFaults() };
    private final List<List<AutoCloseable>> clients = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    private String cluster;

    @AfterEach
    void after()
    {
        for (final NetworkFaults fault : faults)
        {
            fault.isolated = false;
            fault.replicationDataLoss = 0;
        }
        for (int i = 0; i < 3; i++)
        {
            CloseHelper.quietCloseAll(clients.get(i));
        }
        CloseHelper.quietCloseAll(brokers);
    }

    /**
     * Each broker's driver loses about one in ten of the replication data frames it receives, leader to follower
     * and follower to leader, at random. Aeron's NAKs and retransmits repair the streams: every {@code acks=all}
     * produce is acknowledged, at consecutive offsets, and every broker ends with exactly the acknowledged records,
     * in order and without a gap.
     */
    @Test
    void shouldReplicateEveryAcknowledgedRecordWithoutGapsWhenATenthOfReplicationFramesIsLost()
    {
        startCluster(10);
        final TestClient admin = client(0);
        final int topicId = createTopic(admin);
        final int leader = describe(admin, 0, (p) -> p.leader() >= 0 && p.isr().size() == 3).leader();
        for (final NetworkFaults fault : faults)
        {
            fault.replicationDataLoss = 0.1;
        }

        // Produce in windows of several batches in flight, so that frames are lost in the middle of streams too, and
        // with values large enough that a replication message spans several datagrams.
        final TestClient producer = client(leader);
        describe(producer, 0, (p) -> p.leader() == leader && p.isr().size() == 3);
        final List<String> acknowledged = new ArrayList<>();
        final int batches = 300;
        final int window = 10;
        final String padding = "x".repeat(2000);
        for (int first = 0; first < batches; first += window)
        {
            final long[] correlationIds = new long[window];
            for (int i = 0; i < window; i++)
            {
                final int n = first + i;
                final int length = producer.batch("a-" + n, "b-" + n + padding);
                correlationIds[i] = producer.produce(topicId, 0, Acks.ALL, producer.batchBuffer(), length);
            }
            for (int i = 0; i < window; i++)
            {
                final int n = first + i;
                final TestClient.Ack ack = producer.awaitAck(correlationIds[i]);
                assertEquals(ErrorCode.NONE, ack.errorCode(), ack.message());
                assertEquals(n * 2L, ack.baseOffset(), "batch " + n);
                acknowledged.add("a-" + n);
                acknowledged.add("b-" + n + padding);
            }
        }
        final long dropped = faults[0].replicationDrops.get() + faults[1].replicationDrops.get() +
            faults[2].replicationDrops.get();
        assertTrue(dropped > 0, "the loss generators dropped no replication frame");

        final long end = acknowledged.size();
        for (int i = 0; i < 3; i++)
        {
            final PartitionLog log = brokers[i].partitionLog(TOPIC, 0);
            await("broker " + i + " to hold every acknowledged record", () -> log.logEndOffset() >= end);
            assertEquals(end, log.logEndOffset(), "broker " + i + " has no more than the acknowledged records");
            assertEquals(acknowledged, values(log, end), "broker " + i);
        }
    }

    /**
     * The partition's leader is cut off from the other brokers and from every controller member, its own
     * included: its driver drops every frame, data and control, sent or received, of every stream but the client
     * protocol's. An {@code acks=all} produce it takes cannot be confirmed by the ISR and fails, never acknowledged,
     * while the other two brokers get a new leader that takes {@code acks=all} writes. Once the partition heals, the
     * old leader follows the new one: it truncates the batch it appended alone, copies what it missed, ends with the
     * new leader's records exactly, and is back in the ISR.
     */
    @Test
    void shouldNotAcknowledgeOnAnIsolatedOldLeaderAndTruncateItsUnacknowledgedBatchOnceHealed()
    {
        startCluster(3);
        final TestClient admin = client(0);
        final int topicId = createTopic(admin);
        final int oldLeader = describe(admin, 0, (p) -> p.leader() >= 0 && p.isr().size() == 3).leader();

        final TestClient producer = client(oldLeader);
        describe(producer, 0, (p) -> p.leader() == oldLeader && p.isr().size() == 3);
        final List<String> acknowledged = new ArrayList<>();
        for (int i = 0; i < 10; i++)
        {
            final int length = producer.batch("before-" + i);
            final TestClient.Ack ack = producer.awaitAck(
                producer.produce(topicId, 0, Acks.ALL, producer.batchBuffer(), length));
            assertEquals(ErrorCode.NONE, ack.errorCode(), ack.message());
            assertEquals(i, ack.baseOffset());
            acknowledged.add("before-" + i);
        }

        // Cut the leader off. It still takes the produce and appends it, but no follower confirms it.
        faults[oldLeader].isolated = true;
        final int length = producer.batch("isolated");
        final TestClient.Ack refused = producer.awaitAck(
            producer.produce(topicId, 0, Acks.ALL, producer.batchBuffer(), length));
        assertTrue(NOT_ACKNOWLEDGED.contains(refused.errorCode()),
            "the isolated leader answered " + refused.errorCode() + " " + refused.message());
        final PartitionLog isolatedLog = brokers[oldLeader].partitionLog(TOPIC, 0);
        assertEquals(acknowledged.size() + 1, isolatedLog.logEndOffset(), "the isolated leader appended the batch");
        assertTrue(faults[oldLeader].isolationDrops.get() > 0, "the isolation dropped no frame");

        // The others fence it and elect a leader from the rest of the ISR, which acknowledges acks=all writes.
        final int other = (oldLeader + 1) % 3;
        final TestClient watcher = client(other);
        final TopicDescription.PartitionDescription failedOver =
            describe(watcher, 0, (p) -> p.leader() >= 0 && p.leader() != oldLeader);
        assertFalse(failedOver.isr().contains(oldLeader), "the fenced old leader left the ISR: " + failedOver.isr());
        final int newLeader = failedOver.leader();
        final TestClient atNewLeader = newLeader == other ? watcher : client(newLeader);
        describe(atNewLeader, 0, (p) -> p.leader() == newLeader); // the new leader has the change too
        for (int i = 0; i < 5; i++)
        {
            final int afterLength = atNewLeader.batch("after-" + i);
            final TestClient.Ack ack = atNewLeader.awaitAck(
                atNewLeader.produce(topicId, 0, Acks.ALL, atNewLeader.batchBuffer(), afterLength));
            assertEquals(ErrorCode.NONE, ack.errorCode(), ack.message());
            assertEquals(acknowledged.size(), ack.baseOffset(), "the new leader appends after the acknowledged");
            acknowledged.add("after-" + i);
        }

        // Heal: the old leader rejoins as a follower, drops its own batch, catches up and is back in the ISR.
        faults[oldLeader].isolated = false;
        describe(atNewLeader, 0, (p) -> p.leader() == newLeader && p.isr().contains(oldLeader) && p.isr().size() == 3);
        final long end = acknowledged.size();
        final PartitionLog leaderLog = brokers[newLeader].partitionLog(TOPIC, 0);
        await("the old leader to catch up", () -> isolatedLog.logEndOffset() == end);
        assertEquals(end, leaderLog.logEndOffset());
        assertEquals(acknowledged, values(leaderLog, end));
        assertEquals(acknowledged, values(isolatedLog, end));
    }

    // ---------------------------------------------------------------------------------------------------- helpers

    private void startCluster(final int replicaAckTimeoutSeconds)
    {
        final int[] ports = new int[3];
        final StringJoiner members = new StringJoiner(",");
        for (int i = 0; i < 3; i++)
        {
            ports[i] = ControllerNode.Ports.freeLoopbackBlock();
            members.add(i + "@127.0.0.1:" + ports[i]);
        }
        cluster = members.toString();
        for (int i = 0; i < 3; i++)
        {
            final NetworkFaults fault = faults[i];
            final int replicationPort = ports[i] + ControllerNode.Ports.REPLICATION;
            brokers[i] = SluiceBroker.launch(TestBroker.context(new File(directory, "broker-" + i))
                .brokerId(i)
                .cluster(cluster)
                .replicationTermLength(256 * 1024)
                .replicaLagTimeMax(1500, TimeUnit.MILLISECONDS)
                .replicaHeartbeatInterval(50, TimeUnit.MILLISECONDS)
                .replicaAckTimeout(replicaAckTimeoutSeconds, TimeUnit.SECONDS)
                .controllerSessionTimeout(2, TimeUnit.SECONDS)
                .driverCustomizer((driverContext) -> fault.install(driverContext, replicationPort)));
        }
    }

    private int createTopic(final TestClient admin)
    {
        ClusterReplicationTest.createTopic(admin, 1);
        return admin.connection.describeTopic(TOPIC).topicId();
    }

    private TestClient client(final int id)
    {
        final ClientConnection connection = TestBroker.connect(brokers[id]);
        clients.get(id).add(connection);
        return new TestClient(connection);
    }

    /**
     * Frame loss in one broker's media driver, switchable while it runs: Aeron's debug channel endpoints with loss
     * generators that look at each frame's type and stream id. A datagram that carries several frames is dropped or
     * kept whole; they are frames of one stream.
     */
    static final class NetworkFaults
    {
        /** The stream of a frame of a type without one, or too short to have one: dropped when isolating. */
        static final int UNKNOWN_STREAM = Integer.MIN_VALUE;

        /** Every frame of any stream but the client protocol's is dropped, both ways, while set. */
        volatile boolean isolated;
        /** The share of data frames of the replication stream arriving at the replication port dropped at random. */
        volatile double replicationDataLoss;
        final AtomicLong replicationDrops = new AtomicLong();
        final AtomicLong isolationDrops = new AtomicLong();

        /**
         * Install the debug endpoints in a driver context.
         *
         * @param context         of the driver, before it launches.
         * @param replicationPort the broker's replication port: random loss applies to what arrives there.
         */
        void install(final MediaDriver.Context context, final int replicationPort)
        {
            final LossGenerator control = (address, buffer, length) -> isolates(streamId(buffer, length));
            context
                .receiveChannelEndpointSupplier((udpChannel, dispatcher, statusIndicator, ctx) ->
                    new DebugReceiveChannelEndpoint(udpChannel, dispatcher, statusIndicator, ctx,
                        receivedData(null != udpChannel.remoteData() &&
                            udpChannel.remoteData().getPort() == replicationPort),
                        control))
                .sendChannelEndpointSupplier((udpChannel, statusIndicator, ctx) ->
                    new DebugSendChannelEndpoint(udpChannel, statusIndicator, ctx, control, control));
        }

        /**
         * For a receive endpoint: Aeron calls the long form for data and pad frames, which gives the stream id, and
         * the short one for setup and RTT measurement frames.
         */
        private LossGenerator receivedData(final boolean replicationEndpoint)
        {
            return new LossGenerator()
            {
                public boolean shouldDropFrame(
                    final InetSocketAddress address, final UnsafeBuffer buffer, final int length)
                {
                    return isolates(streamId(buffer, length));
                }

                public boolean shouldDropFrame(final InetSocketAddress address, final UnsafeBuffer buffer,
                    final int streamId, final int sessionId, final int termId, final int termOffset, final int length)
                {
                    if (isolates(streamId))
                    {
                        return true;
                    }
                    final double loss = replicationDataLoss;
                    if (replicationEndpoint && streamId == ReplicaManager.STREAM_ID && loss > 0 &&
                        ThreadLocalRandom.current().nextDouble() < loss)
                    {
                        replicationDrops.incrementAndGet();
                        return true;
                    }
                    return false;
                }
            };
        }

        private boolean isolates(final int streamId)
        {
            if (isolated &&
                streamId != ClientProtocol.INGRESS_STREAM_ID && streamId != ClientProtocol.RESPONSE_STREAM_ID)
            {
                isolationDrops.incrementAndGet();
                return true;
            }
            return false;
        }

        /**
         * The stream id of the frame at the start of the buffer (for a datagram of several data frames, the first's:
         * they are of one stream), or {@link #UNKNOWN_STREAM} for a frame of another type or too short.
         */
        static int streamId(final UnsafeBuffer buffer, final int length)
        {
            if (length < HeaderFlyweight.MIN_HEADER_LENGTH)
            {
                return UNKNOWN_STREAM;
            }
            final int type = buffer.getShort(HeaderFlyweight.TYPE_FIELD_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
            return switch (type)
            {
                case HeaderFlyweight.HDR_TYPE_DATA, HeaderFlyweight.HDR_TYPE_PAD ->
                    length < DataHeaderFlyweight.HEADER_LENGTH ? UNKNOWN_STREAM :
                    buffer.getInt(DataHeaderFlyweight.STREAM_ID_FIELD_OFFSET, ByteOrder.LITTLE_ENDIAN);
                case HeaderFlyweight.HDR_TYPE_SETUP -> length < SetupFlyweight.HEADER_LENGTH ?
                    UNKNOWN_STREAM : new SetupFlyweight(buffer).streamId();
                case HeaderFlyweight.HDR_TYPE_SM -> length < StatusMessageFlyweight.HEADER_LENGTH ?
                    UNKNOWN_STREAM : new StatusMessageFlyweight(buffer).streamId();
                case HeaderFlyweight.HDR_TYPE_NAK -> length < NakFlyweight.HEADER_LENGTH ?
                    UNKNOWN_STREAM : new NakFlyweight(buffer).streamId();
                case HeaderFlyweight.HDR_TYPE_RTTM -> length < RttMeasurementFlyweight.HEADER_LENGTH ?
                    UNKNOWN_STREAM : new RttMeasurementFlyweight(buffer).streamId();
                case HeaderFlyweight.HDR_TYPE_ERR -> length < ErrorFlyweight.HEADER_LENGTH ?
                    UNKNOWN_STREAM : buffer.getInt(ErrorFlyweight.STREAM_ID_FIELD_OFFSET, ByteOrder.LITTLE_ENDIAN);
                default -> UNKNOWN_STREAM;
            };
        }
    }
}
