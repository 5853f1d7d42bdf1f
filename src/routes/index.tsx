export default function Home() {
  return <main><h1>Atrium</h1></main>;
}
