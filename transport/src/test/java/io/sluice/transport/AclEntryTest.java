package io.sluice.transport;

import io.sluice.codecs.client.AclOperation;
import io.sluice.codecs.client.AclPatternType;
import io.sluice.codecs.client.AclResourceType;
import org.junit.jupiter.api.Test;

import static io.sluice.codecs.client.AclOperation.*;
import static io.sluice.codecs.client.AclResourceType.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * What an ACL matches (user or any user; literal, any or prefixed names; describe implied by read, write and
 * delete) and what it refuses to be.
 */
class AclEntryTest
{
    private static AclEntry acl(final String principal, final AclResourceType type, final AclPatternType pattern,
        final String name, final AclOperation operation)
    {
        return new AclEntry(principal, type, pattern, name, operation);
    }

    @Test
    void shouldMatchItsUserItsNamesAndTheOperationsItImplies()
    {
        final AclEntry literal = acl("bob", TOPIC, AclPatternType.LITERAL, "orders", WRITE);
        assertTrue(literal.allows("bob", TOPIC, "orders", WRITE));
        assertTrue(literal.allows("bob", TOPIC, "orders", DESCRIBE), "write implies describe");
        assertFalse(literal.allows("bob", TOPIC, "orders", READ));
        assertFalse(literal.allows("alice", TOPIC, "orders", WRITE));
        assertFalse(literal.allows("bob", TOPIC, "orders2", WRITE));
        assertFalse(literal.allows("bob", GROUP, "orders", READ));

        final AclEntry prefixed = acl("*", TOPIC, AclPatternType.PREFIXED, "logs-", READ);
        assertTrue(prefixed.allows("anyone", TOPIC, "logs-app", READ));
        assertTrue(prefixed.allows("ANONYMOUS", TOPIC, "logs-", DESCRIBE));
        assertFalse(prefixed.allows("anyone", TOPIC, "log", READ));

        final AclEntry any = acl("bob", GROUP, AclPatternType.LITERAL, "*", READ);
        assertTrue(any.allows("bob", GROUP, "whatever", READ));
        assertFalse(any.allows("bob", GROUP, "whatever", DELETE));

        final AclEntry create = acl("bob", TOPIC, AclPatternType.LITERAL, "t", CREATE);
        assertFalse(create.allows("bob", TOPIC, "t", DESCRIBE), "create does not imply describe");
    }

    @Test
    void shouldRefuseAclsThatMeanNothing()
    {
        assertThrows(IllegalArgumentException.class, () -> acl("", TOPIC, AclPatternType.LITERAL, "t", READ));
        assertThrows(IllegalArgumentException.class, () -> acl("bo b", TOPIC, AclPatternType.LITERAL, "t", READ));
        assertThrows(IllegalArgumentException.class, () -> acl("bob", TOPIC, AclPatternType.LITERAL, "", READ));
        assertThrows(IllegalArgumentException.class, () -> acl("bob", TOPIC, AclPatternType.LITERAL, "a\tb", READ));
        assertThrows(IllegalArgumentException.class, () -> acl("bob", TOPIC, AclPatternType.PREFIXED, "*", READ));
        assertThrows(IllegalArgumentException.class, () -> acl("bob", TOPIC, AclPatternType.LITERAL, "t", ALTER));
        assertThrows(IllegalArgumentException.class, () -> acl("bob", GROUP, AclPatternType.LITERAL, "g", WRITE));
        assertThrows(IllegalArgumentException.class, () -> acl("bob", CLUSTER, AclPatternType.LITERAL, "c", ALTER));
        assertThrows(IllegalArgumentException.class,
            () -> acl("bob", CLUSTER, AclPatternType.LITERAL, AclEntry.CLUSTER_NAME, WRITE));
        assertThrows(IllegalArgumentException.class,
            () -> acl("bob", AclResourceType.NULL_VAL, AclPatternType.LITERAL, "t", READ));
        assertEquals("principal bob may ALTER CLUSTER kafka-cluster",
            acl("bob", CLUSTER, AclPatternType.LITERAL, AclEntry.CLUSTER_NAME, ALTER).toString());
    }
}
