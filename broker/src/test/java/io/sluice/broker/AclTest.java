package io.sluice.broker;

import io.sluice.codecs.client.AclOperation;
import io.sluice.codecs.client.AclPatternType;
import io.sluice.codecs.client.AclResourceType;
import io.sluice.codecs.client.CreditMode;
import io.sluice.codecs.client.ErrorCode;
import io.sluice.transport.AclEntry;
import io.sluice.transport.ClientConnection;
import io.sluice.transport.ClientProtocol;
import io.sluice.transport.SluiceClientException;
import io.sluice.transport.TopicDescription;
import io.sluice.transport.auth.CredentialsFile;
import io.sluice.transport.auth.ScramCredential;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A broker with SCRAM authentication and {@code authorization=acls}: each operation on topics, groups and the ACLs
 * themselves is allowed by a matching ACL (literal, prefixed, any name, any user) or to a super user, and denied
 * otherwise with {@code NOT_AUTHORIZED} and a count; a removed ACL stops applying at once; the ACLs survive a
 * restart.
 */
class AclTest
{
    @TempDir
    File dataDirectory;
    @TempDir
    File configDirectory;

    private File credentials;
    private SluiceBroker broker;
    private final List<ClientConnection> connections = new ArrayList<>();

    @BeforeEach
    void launch()
    {
        credentials = new File(configDirectory, "credentials");
        final SecureRandom random = new SecureRandom();
        CredentialsFile.write(credentials.toPath(), Map.of(
            "admin", ScramCredential.create("admin-secret".toCharArray(), ScramCredential.MIN_ITERATIONS, random),
            "bob", ScramCredential.create("bob-secret".toCharArray(), ScramCredential.MIN_ITERATIONS, random)));
        start();
    }

    private void start()
    {
        broker = SluiceBroker.launch(TestBroker.context(dataDirectory)
            .authentication(SluiceBroker.Authentication.SCRAM_SHA_256)
            .credentialsFile(credentials)
            .authorization(true)
            .superUsers(Set.of("admin")));
    }

    @AfterEach
    void close()
    {
        connections.forEach(CloseHelper::quietClose);
        CloseHelper.quietClose(broker);
    }

    private ClientConnection connect(final String user)
    {
        final ClientConnection connection = ClientConnection.connect(new ClientConnection.Context()
            .bootstrap(broker.listenEndpoint())
            .aeronDirectoryName(broker.aeronDirectoryName())
            .termLength(TestBroker.TERM_LENGTH)
            .requestTimeout(10, TimeUnit.SECONDS)
            .credentials(user, (user + "-secret").toCharArray()));
        connections.add(connection);
        return connection;
    }

    private static AclEntry acl(final String principal, final AclResourceType type, final AclPatternType pattern,
        final String name, final AclOperation operation)
    {
        return new AclEntry(principal, type, pattern, name, operation);
    }

    private static void assertDenied(final Executable request, final String expected)
    {
        final SluiceClientException denied = assertThrows(SluiceClientException.class, request);
        assertEquals(ErrorCode.NOT_AUTHORIZED, denied.errorCode(), denied.getMessage());
        assertTrue(denied.getMessage().contains(expected), denied.getMessage() + " should say " + expected);
    }

    @Test
    void shouldAllowWhatTheAclsAllowAndDenyTheRest()
    {
        final ClientConnection admin = connect("admin");
        final int orders = admin.createTopic("orders", 1, 1, Map.of());
        final int secret = admin.createTopic("secret", 1, 1, Map.of());
        final int logs = admin.createTopic("logs-app", 1, 1, Map.of());
        admin.addAcl(acl("bob", AclResourceType.TOPIC, AclPatternType.LITERAL, "orders", AclOperation.WRITE));
        admin.addAcl(acl("bob", AclResourceType.TOPIC, AclPatternType.PREFIXED, "logs-", AclOperation.READ));
        admin.addAcl(acl("bob", AclResourceType.GROUP, AclPatternType.LITERAL, "readers", AclOperation.READ));
        admin.addAcl(acl("*", AclResourceType.TOPIC, AclPatternType.PREFIXED, "bob-", AclOperation.CREATE));
        final TestClient bob = new TestClient(connect("bob"));

        // Topics: write where allowed, not elsewhere; read where allowed.
        assertEquals(ErrorCode.NONE, bob.produceAndAwait(orders, 0, "one").errorCode());
        final TestClient.Ack refused = bob.produceAndAwait(secret, 0, "sneaky");
        assertEquals(ErrorCode.NOT_AUTHORIZED, refused.errorCode());
        bob.fetch(1, orders, 0, ClientProtocol.EARLIEST_OFFSET, CreditMode.RECORDS, 10);
        bob.fetch(2, logs, 0, ClientProtocol.EARLIEST_OFFSET, CreditMode.RECORDS, 10);
        bob.pollUntil(() -> bob.statuses.size() == 2);
        assertEquals(ErrorCode.NOT_AUTHORIZED, bob.statuses.stream().filter((s) -> s.sessionId() == 1).findFirst()
            .orElseThrow().errorCode(), "write does not imply read");
        assertEquals(ErrorCode.NONE, bob.statuses.stream().filter((s) -> s.sessionId() == 2).findFirst()
            .orElseThrow().errorCode());

        // Describe: implied by read and write; the list shows only what may be described; a topic not allowed is
        // refused whether or not it exists.
        final Set<String> visible = new TreeSet<>();
        bob.connection.describeTopics("", false).forEach((t) -> visible.add(t.name()));
        assertEquals(Set.of("logs-app", "orders"), visible);
        assertDenied(() -> bob.connection.describeTopic("secret"), "may not describe topic secret");
        assertDenied(() -> bob.connection.describeTopic("no-such-topic"), "may not describe topic no-such-topic");

        // Create and delete.
        assertDenied(() -> bob.connection.createTopic("mine", 1, 1, Map.of()), "may not create topic mine");
        bob.connection.createTopic("bob-scratch", 1, 1, Map.of());
        assertDenied(() -> bob.connection.deleteTopic("orders"), "may not delete topic orders");

        // Groups: offsets of an allowed group and an allowed topic; the group listing filtered.
        bob.connection.commitOffset("readers", logs, 0, 0);
        assertEquals(0, bob.connection.committedOffset("readers", logs, 0));
        assertDenied(() -> bob.connection.commitOffset("writers", logs, 0, 0), "may not read group writers");
        assertDenied(() -> bob.connection.commitOffset("readers", orders, 0, 0), "may not read topic orders");
        admin.commitOffset("writers", orders, 0, 1);
        assertDenied(() -> bob.connection.committedOffset("writers", orders, 0), "may not describe group writers");
        assertDenied(() -> bob.connection.describeGroup("writers"), "may not describe group writers");
        assertEquals(List.of("readers"), bob.connection.listGroups().stream().map((g) -> g.name()).toList());
        assertEquals(2, admin.listGroups().size(), "a super user sees every group");

        // Joining a group needs read on it; a time look-up needs describe on the topic.
        assertEquals(ErrorCode.NOT_AUTHORIZED, join(bob.connection, "writers"));
        assertEquals(ErrorCode.NONE, join(bob.connection, "readers"));
        assertEquals(-1, bob.connection.offsetForTimestamp(logs, 0, Long.MAX_VALUE), "describe implied by read");
        assertDenied(() -> bob.connection.offsetForTimestamp(secret, 0, 0), "may not describe topic secret");

        // The ACLs themselves are the cluster's.
        assertDenied(() -> bob.connection.addAcl(acl("bob", AclResourceType.TOPIC, AclPatternType.LITERAL, "*",
            AclOperation.WRITE)), "may not alter cluster kafka-cluster");
        assertDenied(bob.connection::listAcls, "may not describe cluster kafka-cluster");
        assertTrue(broker.counters().deniedRequests.get() >= 11, "denials counted");

        // A removed ACL stops applying at once (the connection's cached decision is dropped).
        admin.removeAcl(acl("bob", AclResourceType.TOPIC, AclPatternType.LITERAL, "orders", AclOperation.WRITE));
        assertEquals(ErrorCode.NOT_AUTHORIZED, bob.produceAndAwait(orders, 0, "two").errorCode());
        final SluiceClientException twice = assertThrows(SluiceClientException.class, () -> admin.removeAcl(
            acl("bob", AclResourceType.TOPIC, AclPatternType.LITERAL, "orders", AclOperation.WRITE)));
        assertEquals(ErrorCode.INVALID_REQUEST, twice.errorCode());
        final TopicDescription.PartitionDescription partition =
            admin.describeTopic("secret").partitions().get(0);
        assertEquals(0, partition.highWatermark(), "nothing of the denied produce was appended");
    }

    /**
     * Join a group as a new member and wait for the broker's answer.
     */
    private static ErrorCode join(final ClientConnection connection, final String group)
    {
        final ErrorCode[] answer = new ErrorCode[1];
        final io.sluice.transport.ClientResponseListener listener = new io.sluice.transport.ClientResponseListener()
        {
            public void onJoinGroupResponse(final long correlationId, final ErrorCode errorCode, final int generation,
                final String memberId, final String errorMessage)
            {
                answer[0] = errorCode;
            }
        };
        final long correlationId = connection.nextCorrelationId();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (connection.offerJoinGroup(correlationId, group, "", io.sluice.codecs.client.Assignor.RANGE, 10_000,
            5_000, List.of("logs-app"), List.of()) < 0)
        {
            assertTrue(System.nanoTime() < deadline, "join offered");
            connection.poll(listener, 16);
        }
        while (null == answer[0])
        {
            assertTrue(System.nanoTime() < deadline, "join answered");
            connection.poll(listener, 16);
        }
        return answer[0];
    }

    @Test
    void shouldKeepTheAclsAcrossARestart()
    {
        final ClientConnection admin = connect("admin");
        final AclEntry read = acl("bob", AclResourceType.TOPIC, AclPatternType.LITERAL, "*", AclOperation.READ);
        final AclEntry cluster = acl("bob", AclResourceType.CLUSTER, AclPatternType.LITERAL, AclEntry.CLUSTER_NAME,
            AclOperation.DESCRIBE);
        admin.addAcl(read);
        admin.addAcl(cluster);
        assertEquals(List.of(read, cluster), admin.listAcls());
        connections.forEach(CloseHelper::quietClose);
        connections.clear();
        broker.close();

        start();
        assertEquals(List.of(read, cluster), connect("bob").listAcls(), "kept, and bob may describe them now");
    }
}
