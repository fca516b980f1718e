package io.sluice.transport.auth;

import com.ongres.scram.client.ScramClient;
import com.ongres.scram.common.StringPreparation;
import com.ongres.scram.common.exception.ScramInvalidServerSignatureException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The broker's side of SCRAM-SHA-256 against the client library's: a good exchange, every malformed or out-of-turn
 * message refused, a forged server signature caught by the client; credentials round-tripping through their file.
 */
class ScramTest
{
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ScramCredential ALICE =
        ScramCredential.create("alice-secret".toCharArray(), ScramCredential.MIN_ITERATIONS, RANDOM);

    @TempDir
    Path directory;

    private static ScramClient client(final String user, final String password)
    {
        return ScramClient.builder()
            .advertisedMechanisms(List.of(ScramCredential.MECHANISM))
            .username(user)
            .password(password.toCharArray())
            .stringPreparation(StringPreparation.SASL_PREPARATION)
            .build();
    }

    private static ScramServer server(final ScramCredential credential)
    {
        return new ScramServer(Map.of("alice", credential)::get, RANDOM, new byte[32]);
    }

    @Test
    void shouldAuthenticateAndLetTheClientCheckTheServer() throws Exception
    {
        final ScramClient client = client("alice", "alice-secret");
        final ScramServer server = server(ALICE);
        client.serverFirstMessage(server.first(ScramCredential.MECHANISM, client.clientFirstMessage().toString()));
        final String serverFinal = server.last(client.clientFinalMessage().toString());
        client.serverFinalMessage(serverFinal); // throws if the signature does not check
        assertEquals("alice", server.user());
    }

    @Test
    void shouldRefuseAWrongPasswordAndAnUnknownUserTheSameWay() throws Exception
    {
        for (final String[] attempt : new String[][] {{"alice", "wrong"}, {"mallory", "alice-secret"}})
        {
            final ScramClient client = client(attempt[0], attempt[1]);
            final ScramServer server = server(ALICE);
            final String serverFirst = server.first(ScramCredential.MECHANISM, client.clientFirstMessage().toString());
            assertTrue(serverFirst.contains(",i=" + (attempt[0].equals("alice") ? ScramCredential.MIN_ITERATIONS :
                ScramCredential.DEFAULT_ITERATIONS)), serverFirst);
            client.serverFirstMessage(serverFirst);
            final ScramServer.AuthenticationException refused = assertThrows(ScramServer.AuthenticationException.class,
                () -> server.last(client.clientFinalMessage().toString()));
            assertEquals("authentication of " + attempt[0] + " failed", refused.getMessage());
        }
        // An unknown user's made-up salt is the same every time, as a real one would be.
        final ScramServer one = server(ALICE);
        final ScramServer two = server(ALICE);
        assertEquals(salt(one.first(ScramCredential.MECHANISM, "n,,n=mallory,r=abc")),
            salt(two.first(ScramCredential.MECHANISM, "n,,n=mallory,r=def")));
    }

    @Test
    void shouldRefuseMalformedAndOutOfTurnMessages() throws Exception
    {
        assertRefused("mechanism SCRAM-SHA-1 is not offered", (s) -> s.first("SCRAM-SHA-1", "n,,n=alice,r=abc"));
        assertRefused("malformed client-first", (s) -> s.first(ScramCredential.MECHANISM, "hello"));
        assertRefused("malformed client-first", (s) -> s.first(ScramCredential.MECHANISM, ""));
        assertRefused("channel binding", (s) -> s.first(ScramCredential.MECHANISM, "p=tls-unique,,n=alice,r=abc"));
        assertRefused("channel binding", (s) -> s.first(ScramCredential.MECHANISM, "n,a=bob,n=alice,r=abc"));
        assertRefused("user name", (s) -> s.first(ScramCredential.MECHANISM, "n,,n=al ice,r=abc"));
        assertRefused("out of turn", (s) -> s.last("c=biws,r=abc,p=AAAA"));
        assertRefused("second client-first", (s) ->
        {
            s.first(ScramCredential.MECHANISM, "n,,n=alice,r=abc");
            s.first(ScramCredential.MECHANISM, "n,,n=alice,r=abc");
        });
        assertRefused("without a proof", (s) ->
        {
            s.first(ScramCredential.MECHANISM, "n,,n=alice,r=abc");
            s.last("c=biws,r=abc");
        });
        assertRefused("another nonce", (s) ->
        {
            s.first(ScramCredential.MECHANISM, "n,,n=alice,r=abc");
            s.last("c=biws,r=abcforged,p=AAAA");
        });
        assertRefused("not base64", (s) ->
        {
            final String serverFirst = s.first(ScramCredential.MECHANISM, "n,,n=alice,r=abc");
            s.last("c=biws,r=" + nonce(serverFirst) + ",p=!!!");
        });
        assertRefused("authentication of alice failed", (s) ->
        {
            final String serverFirst = s.first(ScramCredential.MECHANISM, "n,,n=alice,r=abc");
            s.last("c=biws,r=" + nonce(serverFirst) + ",p=AAAA");
        });
        assertRefused("out of turn", (s) ->
        {
            final String serverFirst = s.first(ScramCredential.MECHANISM, "n,,n=alice,r=abc");
            assertThrows(ScramServer.AuthenticationException.class,
                () -> s.last("c=biws,r=" + nonce(serverFirst) + ",p=AAAA"));
            s.last("c=biws,r=" + nonce(serverFirst) + ",p=AAAA"); // one try per exchange
        });
    }

    @Test
    void shouldLetTheClientCatchABrokerThatDoesNotHoldItsServerKey() throws Exception
    {
        final ScramCredential forged = new ScramCredential(ALICE.iterations(), ALICE.salt(), ALICE.storedKey(),
            new byte[32]);
        final ScramClient client = client("alice", "alice-secret");
        final ScramServer server = server(forged);
        client.serverFirstMessage(server.first(ScramCredential.MECHANISM, client.clientFirstMessage().toString()));
        final String serverFinal = server.last(client.clientFinalMessage().toString());
        assertThrows(ScramInvalidServerSignatureException.class, () -> client.serverFinalMessage(serverFinal));
    }

    @Test
    void shouldLetTheClientRefuseAServerFirstAskingForTooManyIterations() throws Exception
    {
        ScramCredential.checkServerFirst("r=abcdef,s=QUJDRA==,i=4096", "abc");
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> ScramCredential.checkServerFirst("r=abcdef,s=QUJDRA==,i=2000000000", "abc"));
        assertTrue(refused.getMessage().contains("2000000000 iterations"), refused.getMessage());
        assertThrows(com.ongres.scram.common.exception.ScramParseException.class,
            () -> ScramCredential.checkServerFirst("garbage", "abc"));
    }

    @Test
    void shouldWriteAndReadCredentialsWithoutThePasswordAndReadableByTheOwnerOnly() throws IOException
    {
        final Path file = directory.resolve("credentials");
        CredentialsFile.write(file, Map.of("alice", ALICE));
        assertEquals(Map.of("alice", ALICE), CredentialsFile.read(file));
        final String text = Files.readString(file, StandardCharsets.UTF_8);
        assertFalse(text.contains("alice-secret"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));

        Files.writeString(file, "# comment\n\nalice=" + ALICE.encode() + "\nbob=SCRAM-SHA-256:12:AAAA:AAAA:AAAA\n");
        final IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
            () -> CredentialsFile.read(file));
        assertTrue(bad.getMessage().contains("line 4") && bad.getMessage().contains("iterations must be 4096 to"),
            bad.getMessage());
        Files.writeString(file, "alice=" + ALICE.encode() + "\nalice=" + ALICE.encode() + "\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CredentialsFile.read(file)).getMessage()
            .contains("given twice"));
        Files.writeString(file, "no user here\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CredentialsFile.read(file)).getMessage()
            .contains("line 1"));
        assertThrows(IllegalArgumentException.class, () -> ScramCredential.parse("SCRAM-SHA-256:4096:!:AAAA:AAAA"));
        assertThrows(IllegalArgumentException.class,
            () -> ScramCredential.create(new char[0], ScramCredential.MIN_ITERATIONS, RANDOM));
        assertThrows(IllegalArgumentException.class, () -> ScramCredential.parse(
            "SCRAM-SHA-256:2000000:" + ALICE.encode().split(":", 3)[2]), "no more than a million iterations");
    }

    @FunctionalInterface
    private interface Step
    {
        void run(ScramServer server) throws Exception;
    }

    private static void assertRefused(final String expected, final Step step)
    {
        final ScramServer.AuthenticationException refused =
            assertThrows(ScramServer.AuthenticationException.class, () -> step.run(server(ALICE)));
        assertTrue(refused.getMessage().contains(expected), refused.getMessage() + " should say " + expected);
    }

    private static String nonce(final String serverFirst)
    {
        return serverFirst.substring(2, serverFirst.indexOf(','));
    }

    private static String salt(final String serverFirst)
    {
        final int at = serverFirst.indexOf(",s=") + 3;
        return serverFirst.substring(at, serverFirst.indexOf(',', at));
    }
}
