/**
 * Builds one element's subtree as the `XmlNode` shape the whole-document reader produces
 * (readXml in ../xml.ts): a text-only element is its trimmed text, an element with attributes or
 * children an object of "@attr", "#text" and child entries, a repeated child a list (always a list
 * for the `arrays` names); namespace prefixes stripped, namespace declarations kept as "@xmlns…".
 */
import type { XmlNode, XmlValue } from "../xml";
import { detach } from "./tokenizer";

interface Frame {
  local: string;
  node: XmlNode | null;
  text: string;
}

export class SubtreeBuilder {
  /** Frames of the open elements, reused: frames[0..depth) are in use. */
  private readonly frames: Frame[] = [];
  private depth = 0;
  private count = 0;

  constructor(
    private readonly arrays: ReadonlySet<string>,
    private readonly maxElements: number,
  ) {}

  /** Whether a subtree is being built. */
  get active(): boolean {
    return this.depth > 0;
  }

  /** Elements read into the current subtree so far. */
  get elements(): number {
    return this.count;
  }

  /** An element starts (the subtree's root when none is active); returns false past `maxElements`. */
  open(local: string, attrs: string[] | null): boolean {
    if (this.depth === 0) this.count = 0;
    if (++this.count > this.maxElements) return false;
    let node: XmlNode | null = null;
    if (attrs) {
      node = {};
      for (let a = 0; a < attrs.length; a += 2) {
        const name = attrs[a];
        const colon = name.indexOf(":");
        const key = colon < 0 || name.startsWith("xmlns:") ? name : name.slice(colon + 1);
        node[`@${key}`] = attrs[a + 1];
      }
    }
    const frame = this.frames[this.depth];
    if (frame) {
      frame.local = local;
      frame.node = node;
      frame.text = "";
    } else this.frames.push({ local, node, text: "" });
    this.depth++;
    return true;
  }

  text(value: string): void {
    const frame = this.frames[this.depth - 1];
    frame.text = frame.text ? frame.text + value : value;
  }

  /** The current element ends; returns its value when it was the subtree's root, else undefined. */
  close(): XmlValue | undefined {
    const frame = this.frames[--this.depth];
    const text = frame.text ? detach(frame.text.trim()) : "";
    let value: XmlValue;
    if (frame.node === null) value = text;
    else {
      value = frame.node;
      if (text) value["#text"] = text;
    }
    frame.node = null;
    frame.text = "";
    if (this.depth === 0) return value;
    const parent = this.frames[this.depth - 1];
    const node = (parent.node ??= {});
    attach(node, frame.local, value, this.arrays);
    return undefined;
  }
}

/** Add a child's value under its name: the second occurrence turns the entry into a list. */
export function attach(node: XmlNode, name: string, value: XmlValue, arrays: ReadonlySet<string>): void {
  if (!Object.hasOwn(node, name)) node[name] = arrays.has(name) ? [value] : value;
  else {
    const existing = node[name];
    if (Array.isArray(existing)) existing.push(value);
    else node[name] = [existing, value];
  }
}
