package io.sluice.broker;

import io.sluice.codecs.client.Acks;
import io.sluice.codecs.client.CreditMode;
import io.sluice.codecs.client.ErrorCode;
import io.sluice.transport.ClientConnection;
import io.sluice.transport.ClientProtocol;
import io.sluice.transport.SluiceClientException;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The broker's limits: the most client connections, and per-connection produce and fetch quotas that hold back a
 * client that floods while the others go on.
 */
class BrokerLimitsTest
{
    @TempDir
    File dataDirectory;

    private SluiceBroker broker;
    private final List<ClientConnection> connections = new ArrayList<>();

    @AfterEach
    void close()
    {
        connections.forEach(CloseHelper::quietClose);
        CloseHelper.quietClose(broker);
    }

    private ClientConnection connect()
    {
        final ClientConnection connection = TestBroker.connect(broker);
        connections.add(connection);
        return connection;
    }

    @Test
    void shouldRefuseConnectionsPastMaxConnectionsWithAClearErrorAndTakeThemOnceOneCloses()
    {
        broker = SluiceBroker.launch(TestBroker.context(dataDirectory).maxConnections(2));
        connect();
        final ClientConnection second = connect();
        final SluiceClientException refused = assertThrows(SluiceClientException.class, this::connect);
        assertEquals(ErrorCode.TOO_MANY_CONNECTIONS, refused.errorCode(), refused.getMessage());
        assertTrue(refused.getMessage().contains("max.connections 2"), refused.getMessage());

        second.close();
        connections.remove(second);
        ClusterReplicationTest.await("a connection once one closed", () ->
        {
            try
            {
                connect();
                return true;
            }
            catch (final SluiceClientException ex)
            {
                return false;
            }
        });
    }

    /**
     * A client producing far past its quota is held back (its requests wait in its own stream), while another
     * client's produce is answered at once: its acknowledgement comes while most of the first one's wait.
     */
    @Test
    void shouldHoldBackAClientPastItsProduceQuotaWithoutHoldingBackOthers()
    {
        broker = SluiceBroker.launch(TestBroker.context(dataDirectory).produceQuota(64 * 1024));
        final TestClient flooder = new TestClient(connect());
        final int topicId = flooder.connection.createTopic("flood", 1, 1, Map.of());
        final String value = "x".repeat(16 * 1024);
        final int batches = 40; // 640 KiB: ten seconds' worth at 64 KiB/s
        for (int i = 0; i < batches; i++)
        {
            final int length = flooder.batch(value);
            flooder.produce(topicId, 0, Acks.LEADER, flooder.batchBuffer(), length);
        }

        final TestClient other = new TestClient(connect());
        final TestClient.Ack ack = other.produceAndAwait(topicId, 0, "small");
        assertEquals(ErrorCode.NONE, ack.errorCode());
        flooder.pollFor(10);
        assertTrue(flooder.acks.size() < batches / 2, "the flooder is held back: " + flooder.acks.size() +
            " of " + batches + " answered when the other client's came");
        assertTrue(flooder.acks.stream().allMatch((a) -> a.errorCode() == ErrorCode.NONE), "held back, not refused");
    }

    @Test
    void shouldHoldBackAClientPastItsFetchQuotaWithoutHoldingBackOthers()
    {
        broker = SluiceBroker.launch(TestBroker.context(dataDirectory).fetchQuota(64 * 1024));
        final TestClient producer = new TestClient(connect());
        final int topicId = producer.connection.createTopic("big", 1, 1, Map.of());
        final int smallId = producer.connection.createTopic("small", 1, 1, Map.of());
        final String value = "y".repeat(16 * 1024);
        for (int i = 0; i < 40; i++)
        {
            producer.produceAndAwait(topicId, 0, value);
        }
        producer.produceAndAwait(smallId, 0, "tiny");

        final TestClient reader = new TestClient(connect());
        reader.fetch(1, topicId, 0, ClientProtocol.EARLIEST_OFFSET, CreditMode.RECORDS, Long.MAX_VALUE);
        final TestClient other = new TestClient(connect());
        other.fetch(2, smallId, 0, ClientProtocol.EARLIEST_OFFSET, CreditMode.RECORDS, Long.MAX_VALUE);
        other.pollUntil(() -> other.received.size() == 1);
        reader.pollFor(10);
        assertTrue(reader.received.size() < 20, "the big reader is held back: " + reader.received.size() +
            " of 40 records when the other reader had its record");
        reader.pollUntil(() -> reader.received.size() >= 8); // and goes on at its quota
    }

    @Test
    void shouldRefuseBadLimitSettings()
    {
        assertThrows(IllegalArgumentException.class, () -> new SluiceBroker.Context().maxConnections(0));
        assertThrows(IllegalArgumentException.class, () -> new SluiceBroker.Context().produceQuota(10));
        assertThrows(IllegalArgumentException.class,
            () -> new SluiceBroker.Context().set(SluiceBroker.Context.FETCH_QUOTA_PROP, "fast"));
        assertEquals(-1, new SluiceBroker.Context().set(SluiceBroker.Context.PRODUCE_QUOTA_PROP, "-1").produceQuota());
    }
}
