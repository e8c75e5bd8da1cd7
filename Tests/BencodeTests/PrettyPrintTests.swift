import Testing
@testable import Bencode

@Suite struct PrettyPrintTests {
    @Test func indentsNestedContainersInOrder() {
        let value: BencodeValue = ["result": "ok", "calls": ["a", "b"], "empty": .list([]), "n": 3]
        #expect(value.prettyPrinted() == """
            {
              "result": "ok",
              "calls": [
                "a",
                "b"
              ],
              "empty": [],
              "n": 3
            }
            """)
    }
}
