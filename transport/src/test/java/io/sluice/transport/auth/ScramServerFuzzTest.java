package io.sluice.transport.auth;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.security.SecureRandom;
import java.util.Map;

/**
 * Fuzzing the broker's side of SCRAM with whatever a client may send before it is authenticated: any client-first
 * and client-final messages are answered or refused with an {@link ScramServer.AuthenticationException}; nothing
 * else is thrown, and nothing but the right proof authenticates. {@code JAZZER_FUZZ=1} fuzzes (see the transport
 * README); the default run replays {@code ScramServerFuzzTestInputs}.
 */
class ScramServerFuzzTest
{
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ScramCredential ALICE =
        ScramCredential.create("alice-secret".toCharArray(), ScramCredential.MIN_ITERATIONS, RANDOM);

    @FuzzTest(maxDuration = "60s")
    void shouldAnswerOrRefuseAnyClientMessages(final FuzzedDataProvider data)
    {
        final ScramServer server = new ScramServer(Map.of("alice", ALICE)::get, RANDOM, new byte[32]);
        try
        {
            // Shapes that get past the first checks, then anything: the fuzzer does not see into the SCRAM library.
            final String shape = data.pickValue(new String[] {"n,,n=alice,r=", "n,,n=", "n,,", "y,,n=alice,r=",
                "n,a=alice,n=alice,r=", ""});
            final String serverFirst = server.first(ScramCredential.MECHANISM, shape + data.consumeString(100));
            final String nonce = serverFirst.substring(2, serverFirst.indexOf(','));
            final String last = data.consumeBoolean() ? "c=biws,r=" + nonce + ",p=" + data.consumeRemainingAsString() :
                data.consumeRemainingAsString();
            server.last(last);
            throw new AssertionError("authenticated without the password: " + last);
        }
        catch (final ScramServer.AuthenticationException expected)
        {
            // refused, as it must be
        }
    }
}
