import { render } from "preact";
import { CardApp } from "./CardApp";

render(<CardApp />, document.getElementById("cards")!);
