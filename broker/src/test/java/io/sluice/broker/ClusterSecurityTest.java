package io.sluice.broker;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.sluice.codecs.client.Acks;
import io.sluice.codecs.client.CreditMode;
import io.sluice.codecs.client.ErrorCode;
import io.sluice.transport.ClientConnection;
import io.sluice.transport.ClientProtocol;
import io.sluice.transport.TopicDescription;
import io.sluice.transport.auth.CredentialsFile;
import io.sluice.transport.auth.ScramCredential;
import io.sluice.transport.controller.ControllerNode;
import io.sluice.transport.replication.ReplicationProxy;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A three-broker cluster with client authentication and a cluster secret: clients authenticate at any broker, the
 * brokers join the quorum and prove their replication streams to each other, so {@code acks=all} produces are
 * replicated to the whole ISR; a stream that claims to be a broker without proving it (here: records offered
 * straight to a broker's replication port, as broker 0) is dropped and counted, and writes nothing.
 */
class ClusterSecurityTest
{
    private static final String TOPIC = "secure";

    @TempDir
    File directory;

    private final SluiceBroker[] brokers = new SluiceBroker[3];
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void after()
    {
        CloseHelper.quietCloseAll(closeables);
        CloseHelper.quietCloseAll(brokers);
    }

    private TestClient client(final int id)
    {
        return client(id, "alice");
    }

    private TestClient client(final int id, final String user)
    {
        final ClientConnection connection = ClientConnection.connect(new ClientConnection.Context()
            .bootstrap(brokers[id].listenEndpoint())
            .aeronDirectoryName(brokers[id].aeronDirectoryName())
            .termLength(TestBroker.TERM_LENGTH)
            .requestTimeout(10, TimeUnit.SECONDS)
            .credentials(user, (user + "-secret").toCharArray()));
        closeables.add(connection);
        return new TestClient(connection);
    }

    @Test
    void shouldReplicateBetweenProvenBrokersAndDropAStreamThatIsNot() throws Exception
    {
        final File credentials = new File(directory, "credentials");
        CredentialsFile.write(credentials.toPath(), Map.of(
            "alice", ScramCredential.create("alice-secret".toCharArray(), ScramCredential.MIN_ITERATIONS,
                new SecureRandom()),
            "bob", ScramCredential.create("bob-secret".toCharArray(), ScramCredential.MIN_ITERATIONS,
                new SecureRandom())));
        final File secret = new File(directory, "cluster.secret");
        Files.writeString(secret.toPath(), "a-secret-the-three-brokers-share\n", StandardCharsets.UTF_8);
        final StringJoiner members = new StringJoiner(",");
        final int[] ports = new int[3];
        for (int i = 0; i < 3; i++)
        {
            ports[i] = ControllerNode.Ports.freeLoopbackBlock();
            members.add(i + "@127.0.0.1:" + ports[i]);
        }
        for (int i = 0; i < 3; i++)
        {
            brokers[i] = SluiceBroker.launch(TestBroker.context(new File(directory, "broker-" + i))
                .brokerId(i)
                .cluster(members.toString())
                .authentication(SluiceBroker.Authentication.SCRAM_SHA_256)
                .credentialsFile(credentials)
                .clusterSecretFile(secret)
                .authorization(true)
                .superUsers(java.util.Set.of("alice"))
                .replicationTermLength(256 * 1024)
                .replicaLagTimeMax(1500, TimeUnit.MILLISECONDS)
                .replicaHeartbeatInterval(50, TimeUnit.MILLISECONDS)
                .controllerSessionTimeout(2, TimeUnit.SECONDS));
        }

        final TestClient admin = client(0);
        ClusterReplicationTest.await("the quorum to create the topic", () ->
        {
            try
            {
                admin.connection.createTopic(TOPIC, 1, 3, Map.of("min.insync.replicas", "3"));
                return true;
            }
            catch (final io.sluice.transport.SluiceClientException ex)
            {
                return false;
            }
        });
        final TopicDescription.PartitionDescription settled = describe(admin, (p) -> p.leader() >= 0 &&
            p.isr().size() == 3);
        final int leader = settled.leader();
        final TestClient producer = client(leader);
        final int topicId = producer.connection.describeTopic(TOPIC).topicId();
        for (int i = 0; i < 20; i++)
        {
            final int length = producer.batch("record-" + i);
            final long correlationId = producer.produce(topicId, 0, Acks.ALL, producer.batchBuffer(), length);
            assertEquals(ErrorCode.NONE, producer.awaitAck(correlationId).errorCode(),
                "acks=all with min.insync.replicas 3: every broker's stream proven");
        }
        describe(admin, (p) -> p.highWatermark() == 20 && p.isr().size() == 3);

        // A stream that is no broker's: it offers replication data for the partition to a follower, as the leader.
        final int follower = (leader + 1) % 3;
        final Aeron aeron =
            Aeron.connect(new Aeron.Context().aeronDirectoryName(brokers[follower].aeronDirectoryName()));
        closeables.add(aeron);
        final ExclusivePublication rogue = aeron.addExclusivePublication("aeron:udp?endpoint=127.0.0.1:" +
            (ports[follower] + ControllerNode.Ports.REPLICATION), ReplicaManager.STREAM_ID);
        closeables.add(rogue);
        ClusterReplicationTest.await("the rogue stream connected", rogue::isConnected);
        final long droppedBefore = brokers[follower].unauthenticatedReplicationMessages();
        final ReplicationProxy proxy = new ReplicationProxy();
        for (int i = 0; i < 50; i++)
        {
            final int length = proxy.dataHeader(leader, topicId, 0, settled.leaderEpoch(), 1, 20, 1_000_000, 0);
            while (rogue.offer(proxy.buffer(), 0, length) < 0)
            {
                Thread.onSpinWait();
            }
        }
        ClusterReplicationTest.await("the rogue's messages dropped",
            () -> brokers[follower].unauthenticatedReplicationMessages() >= droppedBefore + 50);
        final TestClient reader = client(leader);
        reader.fetch(1, topicId, 0, ClientProtocol.EARLIEST_OFFSET, CreditMode.RECORDS, 20);
        reader.pollUntil(() -> reader.received.size() == 20);
        assertEquals(20, describe(admin, (p) -> true).highWatermark(), "nothing of the rogue's went anywhere");

        // ACLs are the cluster's: added through one broker, they apply at every other.
        final int other = (leader + 2) % 3;
        final TestClient bob = client(other, "bob");
        final io.sluice.transport.SluiceClientException denied = assertThrows(
            io.sluice.transport.SluiceClientException.class, () -> bob.connection.describeTopic(TOPIC));
        assertEquals(ErrorCode.NOT_AUTHORIZED, denied.errorCode());
        final io.sluice.transport.AclEntry read = new io.sluice.transport.AclEntry("bob",
            io.sluice.codecs.client.AclResourceType.TOPIC, io.sluice.codecs.client.AclPatternType.LITERAL, TOPIC,
            io.sluice.codecs.client.AclOperation.READ);
        client(follower).connection.addAcl(read);
        ClusterReplicationTest.await("the ACL applied at broker " + other, () ->
        {
            try
            {
                return 20 == bob.connection.describeTopic(TOPIC).partitions().get(0).highWatermark();
            }
            catch (final io.sluice.transport.SluiceClientException ex)
            {
                return false;
            }
        });
        assertEquals(java.util.List.of(read), admin.connection.listAcls());
        final io.sluice.transport.SluiceClientException twice = assertThrows(
            io.sluice.transport.SluiceClientException.class, () -> admin.connection.addAcl(read));
        assertEquals(ErrorCode.INVALID_REQUEST, twice.errorCode());
        assertTrue(twice.getMessage().contains("exists already"), twice.getMessage());
        final io.sluice.transport.SluiceClientException notAdmin = assertThrows(
            io.sluice.transport.SluiceClientException.class, () -> bob.connection.addAcl(read));
        assertEquals(ErrorCode.NOT_AUTHORIZED, notAdmin.errorCode());
    }

    private static TopicDescription.PartitionDescription describe(
        final TestClient client, final java.util.function.Predicate<TopicDescription.PartitionDescription> until)
    {
        final TopicDescription.PartitionDescription[] found = new TopicDescription.PartitionDescription[1];
        ClusterReplicationTest.await("the partition to settle", () ->
        {
            try
            {
                found[0] = client.connection.describeTopic(TOPIC).partitions().get(0);
                return until.test(found[0]);
            }
            catch (final io.sluice.transport.SluiceClientException ex)
            {
                return false;
            }
        });
        return found[0];
    }
}
