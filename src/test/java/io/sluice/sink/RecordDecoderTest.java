package io.sluice.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NumericNode;
import io.sluice.record.EventHeaders;
import io.sluice.sink.RecordDecoder.Decoded;
import io.sluice.sink.RecordDecoder.Poison;
import io.sluice.sink.RecordDecoder.Row;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * The decoder's short way (attributes as a tree, {@code data} kept as its bytes) must decide
 * exactly as the whole tree does: the same poison with the same reason, or the same row with
 * the same {@code data} as JSON. Checked on hand-picked records and on mutations of valid ones.
 */
class RecordDecoderTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final RecordDecoder SHORT_WAY = new RecordDecoder(JSON);
    private static final RecordDecoder WHOLE_TREE = new RecordDecoder(JSON, false);

    private static final String VALID = "{\"specversion\":\"1.0\",\"id\":\"e-1\",\"source\":\"/sensors/7\","
            + "\"type\":\"reading\",\"subject\":\"device-7\",\"time\":\"2026-12-06T04:31:07.123Z\","
            + "\"datacontenttype\":\"application/json\",\"sequence\":17,\"region\":\"eu\","
            + "\"data\":{\"temperature\":21.5,\"tags\":[\"a\",\"b\",{\"deep\":[1,2.50,-3e2,true,null]}],\"note\":\"caf\u00e9\"}}";

    @Test
    void keepsDataAsItsBytesWhereTheRulesNeedNoTree() {
        EventRow row = row(SHORT_WAY.decode(record(VALID)));

        assertThat(row.dataJson())
                .isEqualTo("{\"temperature\":21.5,\"tags\":[\"a\",\"b\",{\"deep\":[1,2.50,-3e2,true,null]}],"
                        + "\"note\":\"caf\u00e9\"}");
        assertThat(row.attributesJson()).isEqualTo("{\"sequence\":17,\"region\":\"eu\"}");
        assertThat(row.eventId()).isEqualTo("e-1");
        assertThat(row.source()).isEqualTo("/sensors/7");
        assertThat(row.subject()).isEqualTo("device-7");
        assertThat(row.eventTime()).hasToString("2026-12-06T04:31:07.123Z");
        assertThat(row.tenant()).isEqualTo("acme");
        assertThat(row.partition()).isEqualTo(3);
        assertThat(row.offset()).isEqualTo(42L);
    }

    /** Where the tree rounded numbers through doubles (and wrote 1e400 as the string "Infinity"). */
    @Test
    void keepsNumbersAsSent() {
        EventRow row =
                row(SHORT_WAY.decode(record(event("\"data\":{\"big\":1e400,\"exact\":0.1000000000000000055511}"))));

        assertThat(row.dataJson()).isEqualTo("{\"big\":1e400,\"exact\":0.1000000000000000055511}");
    }

    @Test
    void decidesAsTheWholeTreeOnEveryShape() throws Exception {
        List<String> values = List.of(
                VALID,
                " \n{ \"specversion\" : \"1.0\" , \"id\":\"x\",\"source\":\"s\",\"type\":\"t\", \"data\" : [ 1 , 2 ] } ",
                event("\"data\":\"just text\""),
                event("\"data\":42"),
                event("\"data\":4.25"),
                event("\"data\":123456789012345678901234567890"),
                event("\"data\":true"),
                event("\"data\":null"),
                event("\"data\":{}"),
                event("\"data\":[]"),
                event("\"data_base64\":\"aGVsbG8=\""),
                event("\"data_base64\":\"not base64!\""),
                event("\"data\":{\"a\":1},\"data_base64\":\"aGVsbG8=\""),
                event("\"data\":{\"nul\":\"a\\u0000b\"}"),
                event("\"data\":{\"lone\":\"\\ud800\"}"),
                event("\"data\":{\"pair\":\"\\ud83d\\ude00\",\"e\":\"\\u00e9\"}"),
                event("\"data\":{\"backslash then u\":\"\\\\u0000\"}"),
                event("\"data\":{\"a\\u0000\":1}"),
                event("\"data\":{\"a\":1},\"data\":{\"b\":2}"),
                event("\"data\":{\"a\":1},\"data\":7"),
                event("\"id\":\"again\""),
                event("\"data\":{\"a\":}"),
                event("\"data\":{\"a\":1"),
                event("\"data\":{\"a\":01}"),
                event("\"data\":{\"a\":NaN}"),
                event("\"data\":{'a':1}"),
                event("\"data\":{\"big\":1e400,\"long\":12345678901234567890.123456789}"),
                event("\"count\":2147483648"),
                event("\"count\":-5,\"flag\":false,\"none\":null"),
                event("\"ratio\":0.5"),
                event("\"nested\":{\"a\":1}"),
                event("\"list\":[1]"),
                event("\"Upper\":\"x\""),
                event("\"partitionkey\":\"\""),
                event("\"time\":\"yesterday\""),
                VALID + " trailing",
                "{\"specversion\":\"1.0\",\"source\":\"s\",\"type\":\"t\",\"data\":{\"a\":1}}",
                "[" + VALID + "]",
                "\"text\"",
                "",
                "{");
        for (String value : values) {
            assertSameDecision(value.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Bytes that are not strict UTF-8 go the whole tree's way, where Jackson decodes them leniently. */
    @Test
    void decidesAsTheWholeTreeOnBytesThatAreNotStrictUtf8() throws Exception {
        byte[][] inData = {
            {(byte) 0xC0, (byte) 0x80}, // an overlong NUL
            {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // an encoded lone surrogate
            {(byte) 0xFF},
            {(byte) 0xE2, (byte) 0x82}, // truncated
            {0x00}, // a raw NUL
            {0x1F}
        };
        for (byte[] bytes : inData) {
            ByteArrayOutputStream value = new ByteArrayOutputStream();
            value.writeBytes("{\"specversion\":\"1.0\",\"id\":\"x\",\"source\":\"s\",\"type\":\"t\",\"data\":{\"s\":\"a"
                    .getBytes(StandardCharsets.UTF_8));
            value.writeBytes(bytes);
            value.writeBytes("b\"}}".getBytes(StandardCharsets.UTF_8));
            assertSameDecision(value.toByteArray());
            assertThat(SHORT_WAY.decode(record(value.toByteArray()))).isInstanceOf(Poison.class);
        }
    }

    /** Single-byte mutations of a valid event: whatever the bytes become, both ways agree. */
    @Test
    void decidesAsTheWholeTreeOnMutations() throws Exception {
        byte[] valid = VALID.getBytes(StandardCharsets.UTF_8);
        byte[] alphabet = "{}[]\":,\\u0 1e.-+tfn\u0001x".getBytes(StandardCharsets.UTF_8);
        Random random = new Random(42);
        int rows = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] mutated = valid.clone();
            for (int k = 0, n = 1 + random.nextInt(3); k < n; k++) {
                mutated[random.nextInt(mutated.length)] = alphabet[random.nextInt(alphabet.length)];
            }
            if (assertSameDecision(mutated) instanceof Row) {
                rows++;
            }
        }
        // Both kinds of outcome were exercised, not only refusals.
        assertThat(rows).isGreaterThan(1_000).isLessThan(20_000);
    }

    private static Decoded assertSameDecision(byte[] value) throws Exception {
        String described = new String(value, StandardCharsets.UTF_8);
        Decoded expected = WHOLE_TREE.decode(record(value));
        Decoded actual = SHORT_WAY.decode(record(value));
        if (expected instanceof Poison poison) {
            assertThat(actual).as(described).isEqualTo(poison);
            return expected;
        }
        assertThat(actual).as(described).isInstanceOf(Row.class);
        EventRow want = ((Row) expected).row();
        EventRow got = ((Row) actual).row();
        assertThat(new EventRow(
                        got.tenant(),
                        got.source(),
                        got.eventId(),
                        got.type(),
                        got.subject(),
                        got.eventTime(),
                        got.datacontenttype(),
                        want.dataJson(),
                        got.dataBase64(),
                        got.attributesJson(),
                        got.partition(),
                        got.offset(),
                        got.acceptedAt()))
                .as(described)
                .isEqualTo(want);
        assertThat(sameJson(got.dataJson(), want.dataJson()))
                .as(described + "\n  short way: " + got.dataJson() + "\n  tree:      " + want.dataJson())
                .isTrue();
        return expected;
    }

    /**
     * The same JSON, as PostgreSQL's jsonb would hold it; numbers compared as the tree reads
     * them (doubles), since the tree path wrote them back from doubles. Where a number is beyond
     * double range the tree path wrote the string "Infinity" in its place: the short way keeps
     * the number as it was sent (see {@link #keepsNumbersAsSent}).
     */
    private static boolean sameJson(String shortWay, String tree) throws Exception {
        if (shortWay == null || tree == null) {
            return shortWay == tree;
        }
        Comparator<JsonNode> numbersAsDoubles = (x, y) -> {
            if (x instanceof NumericNode && y instanceof NumericNode) {
                return Double.compare(x.doubleValue(), y.doubleValue());
            }
            if (x instanceof NumericNode && Double.isInfinite(x.doubleValue()) && y.isTextual()) {
                return y.textValue().equals(x.doubleValue() > 0 ? "Infinity" : "-Infinity") ? 0 : 1;
            }
            return x.equals(y) ? 0 : 1;
        };
        return JSON.readTree(shortWay).equals(numbersAsDoubles, JSON.readTree(tree));
    }

    private static String event(String members) {
        return "{\"specversion\":\"1.0\",\"id\":\"x\",\"source\":\"/s\",\"type\":\"t\"," + members + "}";
    }

    private static EventRow row(Decoded decoded) {
        assertThat(decoded).isInstanceOf(Row.class);
        return ((Row) decoded).row();
    }

    private static ConsumerRecord<String, byte[]> record(String value) {
        return record(value.getBytes(StandardCharsets.UTF_8));
    }

    private static ConsumerRecord<String, byte[]> record(byte[] value) {
        ConsumerRecord<String, byte[]> record = new ConsumerRecord<>("events", 3, 42L, "key", value);
        record.headers().add(EventHeaders.TENANT, "acme".getBytes(StandardCharsets.UTF_8));
        record.headers().add(EventHeaders.ACCEPTED_AT, "2026-12-06T04:31:08.000123Z".getBytes(StandardCharsets.UTF_8));
        return record;
    }
}
