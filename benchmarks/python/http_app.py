"""The HTTP benchmark's FastAPI peer (the seed tutorials' stack): the same two endpoints as
benchmarks-http's HttpBenchApplication. Run by benchmarks/run.sh as

    python3 -m uvicorn http_app:app --loop uvloop --port PORT
"""
import asyncio

from fastapi import FastAPI

app = FastAPI()


@app.get("/fastapi/hello")
async def hello():
    return {"message": "hello", "id": 42}


async def upstream(value):
    await asyncio.sleep(0.005)
    return value


@app.get("/fastapi/quote")
async def quote():
    async with asyncio.timeout(1):
        price, name = await asyncio.gather(upstream("12.5"), upstream("acme"))
    return {"price": price, "name": name}
