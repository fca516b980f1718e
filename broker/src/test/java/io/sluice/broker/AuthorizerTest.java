package io.sluice.broker;

import io.sluice.codecs.client.AclOperation;
import io.sluice.codecs.client.AclPatternType;
import io.sluice.codecs.client.AclResourceType;
import io.sluice.transport.AclEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The broker's ACL store: off allows everything; on denies what no ACL allows, except to super users; changes are
 * written and read back; a corrupt file is refused with its line.
 */
class AuthorizerTest
{
    @TempDir
    Path directory;

    private static final AclEntry ANONYMOUS_READ = new AclEntry(Authorizer.ANONYMOUS, AclResourceType.TOPIC,
        AclPatternType.LITERAL, "public", AclOperation.READ);

    @Test
    void shouldAllowEverythingWhenOffAndOnlyWhatIsAllowedWhenOn()
    {
        final Authorizer off = new Authorizer(false, Set.of(), directory);
        assertTrue(off.allows("anyone", AclResourceType.TOPIC, "t", AclOperation.DELETE));

        final Authorizer on = new Authorizer(true, Set.of("root"), directory);
        assertFalse(on.allows(Authorizer.ANONYMOUS, AclResourceType.TOPIC, "public", AclOperation.READ));
        assertTrue(on.allows("root", AclResourceType.CLUSTER, AclEntry.CLUSTER_NAME, AclOperation.ALTER));
        final long version = on.version();
        assertTrue(on.alter(true, ANONYMOUS_READ));
        assertFalse(on.alter(true, ANONYMOUS_READ), "added once");
        assertTrue(on.version() > version);
        assertTrue(on.allows(Authorizer.ANONYMOUS, AclResourceType.TOPIC, "public", AclOperation.READ));

        final Authorizer reloaded = new Authorizer(true, Set.of(), directory);
        assertEquals(List.of(ANONYMOUS_READ), reloaded.all());
        assertTrue(reloaded.alter(false, ANONYMOUS_READ));
        assertFalse(reloaded.alter(false, ANONYMOUS_READ));
        assertEquals(List.of(), new Authorizer(true, Set.of(), directory).all());
    }

    @Test
    void shouldRefuseACorruptAclFileNamingTheLine() throws IOException
    {
        Files.writeString(directory.resolve(Authorizer.FILE), "# comment\nbob\tTOPIC\tLITERAL\tt\tREAD\nbob\tTOPIC\n");
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> new Authorizer(true, Set.of(), directory));
        assertTrue(refused.getMessage().contains("line 3"), refused.getMessage());
        Files.writeString(directory.resolve(Authorizer.FILE), "bob\tTOPIC\tLITERAL\tt\tFLY\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Authorizer(true, Set.of(), directory))
            .getMessage().contains("line 1"));
    }
}
