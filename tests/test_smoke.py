def test_week_page_shows_for_a_logged_in_officer(officer_client):
    response = officer_client.get("/")
    assert response.status_code == 200
    assert "Lý Thị Mai" in response.get_data(as_text=True)
