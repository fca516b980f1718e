package io.sluice.broker;

import io.sluice.codecs.client.Acks;
import io.sluice.codecs.client.ErrorCode;
import io.sluice.codecs.client.ProduceRequestDecoder;
import io.sluice.transport.ClientConnection;
import io.sluice.transport.SluiceClientException;
import io.sluice.transport.auth.CredentialsFile;
import io.sluice.transport.auth.ScramCredential;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A broker with {@code authentication=scram-sha-256}: a client with the right password works as usual; one without
 * credentials is answered {@code NOT_AUTHENTICATED} on every request and gets nothing; a wrong password and an unknown
 * user fail alike with {@code AUTHENTICATION_FAILED}; and a broker without authentication refuses to listen beyond
 * loopback unless told to.
 */
class AuthenticationTest
{
    @TempDir
    File dataDirectory;
    @TempDir
    File configDirectory;

    private SluiceBroker broker;
    private final List<ClientConnection> connections = new ArrayList<>();

    @BeforeEach
    void launch()
    {
        final File credentials = new File(configDirectory, "credentials");
        CredentialsFile.write(credentials.toPath(), Map.of(
            "alice", ScramCredential.create("alice-secret".toCharArray(), ScramCredential.MIN_ITERATIONS,
                new SecureRandom()),
            "bob", ScramCredential.create("bob-secret".toCharArray(), ScramCredential.MIN_ITERATIONS,
                new SecureRandom())));
        broker = SluiceBroker.launch(TestBroker.context(dataDirectory)
            .authentication(SluiceBroker.Authentication.SCRAM_SHA_256)
            .credentialsFile(credentials));
    }

    @AfterEach
    void close()
    {
        connections.forEach(CloseHelper::quietClose);
        CloseHelper.quietClose(broker);
    }

    private ClientConnection connect(final String user, final String password)
    {
        final ClientConnection.Context ctx = new ClientConnection.Context()
            .bootstrap(broker.listenEndpoint())
            .aeronDirectoryName(broker.aeronDirectoryName())
            .termLength(TestBroker.TERM_LENGTH)
            .requestTimeout(10, TimeUnit.SECONDS);
        if (null != user)
        {
            ctx.credentials(user, password.toCharArray());
        }
        final ClientConnection connection = ClientConnection.connect(ctx);
        connections.add(connection);
        return connection;
    }

    @Test
    void shouldServeAClientThatAuthenticated()
    {
        final TestClient alice = new TestClient(connect("alice", "alice-secret"));
        final int topicId = alice.connection.createTopic("orders", 1, 1, Map.of());
        assertEquals(ErrorCode.NONE, alice.produceAndAwait(topicId, 0, "one").errorCode());
        assertEquals(1, alice.connection.describeTopics("", false).size());
        final TestClient bob = new TestClient(connect("bob", "bob-secret"));
        assertEquals(ErrorCode.NONE, bob.produceAndAwait(topicId, 0, "two").errorCode());
        assertEquals(2, broker.counters().authentications.get());
        assertEquals(0, broker.counters().authenticationFailures.get());
    }

    @Test
    void shouldRefuseEveryRequestOfAClientThatDidNotAuthenticate()
    {
        new TestClient(connect("alice", "alice-secret")).connection.createTopic("orders", 1, 1, Map.of());
        final TestClient anonymous = new TestClient(connect(null, null));
        final SluiceClientException refused = assertThrows(SluiceClientException.class,
            () -> anonymous.connection.describeTopics("", false));
        assertEquals(ErrorCode.NOT_AUTHENTICATED, refused.errorCode(), refused.getMessage());
        assertTrue(refused.getMessage().contains("user name and a password"), refused.getMessage());

        // A produce gets an error, not a silent drop, and appends nothing.
        final int length = anonymous.batch("sneaky");
        final long correlationId = anonymous.produce(1, 0, Acks.LEADER, anonymous.batchBuffer(), length);
        anonymous.pollUntil(() -> !anonymous.errors.isEmpty());
        final TestClient.Error error = anonymous.errors.get(0);
        assertEquals(correlationId, error.correlationId());
        assertEquals(ErrorCode.NOT_AUTHENTICATED, error.errorCode());
        assertEquals(ProduceRequestDecoder.TEMPLATE_ID, error.templateId());
        assertTrue(broker.counters().unauthenticatedRequests.get() >= 2);

        final TestClient alice = new TestClient(connect("alice", "alice-secret"));
        assertEquals(0, alice.connection.describeTopic("orders").partitions().get(0).highWatermark(),
            "nothing of the unauthenticated produce was appended");
    }

    @Test
    void shouldFailAWrongPasswordAndAnUnknownUserAlike()
    {
        final SluiceClientException wrong = assertThrows(SluiceClientException.class,
            () -> connect("alice", "not-her-secret"));
        assertEquals(ErrorCode.AUTHENTICATION_FAILED, wrong.errorCode(), wrong.getMessage());
        assertTrue(wrong.getMessage().contains("authentication of alice failed"), wrong.getMessage());

        final SluiceClientException unknown = assertThrows(SluiceClientException.class,
            () -> connect("mallory", "anything"));
        assertEquals(ErrorCode.AUTHENTICATION_FAILED, unknown.errorCode(), unknown.getMessage());
        assertTrue(unknown.getMessage().contains("authentication of mallory failed"), unknown.getMessage());
        assertEquals(2, broker.counters().authenticationFailures.get());

        // The right password still works afterwards.
        assertEquals(0, new TestClient(connect("alice", "alice-secret")).connection.describeTopics("", false).size());
    }

    @Test
    void shouldRefuseCredentialsOnABrokerWithoutAuthentication()
    {
        CloseHelper.quietClose(broker);
        broker = TestBroker.launch(new File(dataDirectory, "plain"));
        final SluiceClientException refused = assertThrows(SluiceClientException.class,
            () -> connect("alice", "alice-secret"));
        assertEquals(ErrorCode.AUTHENTICATION_FAILED, refused.errorCode());
        assertTrue(refused.getMessage().contains("authentication=none"), refused.getMessage());
        assertEquals(0, new TestClient(connect(null, null)).connection.describeTopics("", false).size());
    }

    @Test
    void shouldRefuseToListenBeyondLoopbackWithoutAuthenticationUnlessToldTo()
    {
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> TestBroker.context(new File(dataDirectory, "open")).listen("0.0.0.0:0").conclude());
        assertTrue(refused.getMessage().contains("refusing to listen on 0.0.0.0:0 without authentication"),
            refused.getMessage());
        TestBroker.context(new File(dataDirectory, "open")).listen("0.0.0.0:0").allowInsecureListen(true).conclude();
        TestBroker.context(new File(dataDirectory, "open")).listen("0.0.0.0:0")
            .authentication(SluiceBroker.Authentication.SCRAM_SHA_256)
            .credentialsFile(new File(configDirectory, "credentials")).conclude();

        final IllegalArgumentException noFile = assertThrows(IllegalArgumentException.class,
            () -> TestBroker.context(dataDirectory).authentication(SluiceBroker.Authentication.SCRAM_SHA_256)
                .conclude());
        assertTrue(noFile.getMessage().contains("scram.credentials.file"), noFile.getMessage());
        final IllegalArgumentException badValue = assertThrows(IllegalArgumentException.class,
            () -> TestBroker.context(dataDirectory).set("authentication", "plain"));
        assertTrue(badValue.getMessage().contains("none or scram-sha-256"), badValue.getMessage());
    }
}
